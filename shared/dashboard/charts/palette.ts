/**
 * Colours, from the Okabe–Ito palette that stays distinct for the common colour-vision
 * deficiencies: blue for the good segment, grey for the middle, vermillion for the bad. Each is at
 * least 3:1 against white (WCAG 1.4.11, graphics), and none carries meaning alone: the charts label
 * their bars, and the legend and the data table name every segment.
 */
import type { Segment } from '../../scoring.ts';

const good = '#0072b2';
const middle = '#787878';
const bad = '#d55e00';

export const segmentColours: Readonly<Record<Segment, string>> = {
  promoter: good,
  passive: middle,
  detractor: bad,
  high: good,
  neutral: middle,
  low: bad,
};

/** The single data colour of charts without segments (trend, funnel, breakdown). */
export const seriesColour = good;
/** Text, marks and error bars. */
export const inkColour = '#1f2328';
export const mutedColour = '#4b5563';

export const segmentClass = (segment: Segment): string => `seg-${segment}`;

/** One class per segment, filling SVG shapes and the legend's HTML swatches alike. */
export const segmentCss = (
  [
    ['promoter', 'high'],
    ['passive', 'neutral'],
    ['detractor', 'low'],
  ] as const
)
  .map(([nps, rating]) => {
    const c = segmentColours[nps];
    return `.seg-${nps},.seg-${rating}{fill:${c};background:${c}}`;
  })
  .join('');
