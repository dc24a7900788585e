/**
 * The charts' stylesheet, appended by the page to its own; it assumes no other CSS. The SVGs are
 * 100 % wide with text at a fixed size; their side paddings (classes px, pa, pb, pc) hold the axis
 * labels, drawn outside the plot area at negative x, hence `overflow:visible`.
 */
import { inkColour, mutedColour, segmentCss, seriesColour } from './palette.ts';

export const chartCss = `.chart{margin:0 0 1.5rem;min-width:0;color:${inkColour};font:inherit}
.chart figcaption{font-weight:600;margin:0 0 .5rem}
.chart .plot{display:block;width:100%;box-sizing:border-box;overflow:visible;font-size:12px;fill:${inkColour}}
.chart .px{padding:0 16px}.chart .pa{padding:0 16px 0 40px}.chart .pb{padding:0 16px 0 56px}.chart .pc{padding:0 16px 0 72px}
.chart .mu{fill:${mutedColour}}.chart .lg{font-size:13px}.chart .vb{font-size:15px;font-weight:700}
.chart .g{stroke:#e5e7eb}.chart .ax{stroke:#6b7280}
.chart .band{fill:#d9e6f2}.chart .bsw{background:#d9e6f2;border:1px solid #6b7280}.chart .trk{fill:#f3f4f6}
.chart .h{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.chart .da{fill:${seriesColour}}.chart .in{fill:#fff;font-weight:600}
.chart .ln{stroke:${seriesColour};stroke-width:2}.chart .pt{fill:${seriesColour};stroke:#fff;stroke-width:1.5}
.chart .eb{stroke:${mutedColour};stroke-width:1.5}.chart .br{stroke:${inkColour};stroke-width:2}
.chart .sig{fill:none;stroke:${inkColour};stroke-width:2}.chart .gl{fill:${inkColour}}.chart .mk{stroke:${inkColour};stroke-width:3}
${segmentCss}
.spark{display:inline-block;vertical-align:middle;overflow:visible}.spark path{fill:none;stroke:${seriesColour};stroke-width:1.5;stroke-linejoin:round}.spark circle{fill:${seriesColour}}.spark .end{fill:${inkColour}}
.chart .legend,.chart .side{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:.5rem 0 0;padding:0;font-size:.875rem}
.chart .legend li{display:flex;align-items:center;gap:.375rem}
.chart .sw{display:inline-block;width:.75rem;height:.75rem}.chart .legend li>:first-child{flex:none}
.chart .side{color:${mutedColour}}.chart .side b{color:${inkColour};font-weight:600}
.chart-data{margin-top:.5rem;font-size:.875rem;overflow-x:auto}
.chart-data summary{cursor:pointer;color:${mutedColour}}
.chart-data summary:focus-visible{outline:3px solid var(--ink,${inkColour});outline-offset:2px}
.chart-data table{border-collapse:collapse;margin-top:.5rem;font-variant-numeric:tabular-nums}
.chart-data th,.chart-data td{padding:.25rem .5rem;border-bottom:1px solid #e5e7eb;text-align:end;vertical-align:top;white-space:nowrap}.chart-data tbody th{white-space:normal;min-width:6rem}
.chart-data th:first-child{text-align:start;font-weight:400}.chart-data thead th{font-weight:600}
@media (forced-colors:active){.chart .plot,.chart .mu,.chart .da,.chart .gl,.chart .pt,.chart [class^=seg-]{fill:CanvasText}
.chart .in,.chart .band,.chart .trk{fill:Canvas}.chart .band,.chart .trk,.chart .g{stroke:GrayText}
.chart .ln,.chart .eb,.chart .br,.chart .sig,.chart .ax,.chart .mk{stroke:CanvasText}.chart .h,.chart .pt{stroke:Canvas}
.chart .sw{forced-color-adjust:none;background:CanvasText}.chart .bsw{background:Canvas;border-color:GrayText}.spark path{stroke:CanvasText}.spark circle{fill:CanvasText}}`;
