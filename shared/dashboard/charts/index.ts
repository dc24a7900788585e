/** SVG charts for the dashboard: pure functions of numbers and already formatted texts. */
export type { Band, ChartScale, Tick } from './axis.ts';
export { type DistributionBar, type DistributionInput, distributionChart } from './distribution.ts';
export type { ChartText } from './frame.ts';
export { type FunnelInput, type FunnelSide, type FunnelStep, funnelChart } from './funnel.ts';
export { type GaugeBand, type GaugeInput, scoreGauge } from './gauge.ts';
export { segmentColours } from './palette.ts';
export { type SegmentInput, type SegmentRow, segmentChart } from './segments.ts';
export { type SparklineInput, sparkline } from './sparkline.ts';
export { chartCss } from './style.ts';
export { type TrendInput, type TrendPoint, trendChart } from './trend.ts';
