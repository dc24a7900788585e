/**
 * Answers per score as columns coloured by segment, the count above each column and the score
 * below it. Column heights are proportional to the counts (the tallest reaches the top).
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import type { Segment } from '../../scoring.ts';
import { isFiniteNumber, n2, pct, plotWidthAtNarrow, sidePadding, xLabels } from './axis.ts';
import { type ChartText, checkId, dataTable, figure, legend } from './frame.ts';
import { textWidth } from './measure.ts';
import { segmentClass } from './palette.ts';

export interface DistributionBar {
  key: string;
  /** The score, e.g. "9". */
  label: string;
  count: number;
  countText: string;
  share: number;
  shareText: string;
  segment: Segment;
}

export interface DistributionInput extends ChartText {
  bars: readonly DistributionBar[];
  legend: readonly { segment: Segment; name: string }[];
  columns: { label: string; segment: string; count: string; share: string };
}

const barMax = 120;

export function distributionChart(input: DistributionInput): SafeHtml {
  checkId(input.id);
  const { bars } = input;
  const padding = sidePadding;
  const slot = 1 / Math.max(1, bars.length);
  const centre = (i: number) => (i + 0.5) * slot;
  const counts = bars.map((b) => (isFiniteNumber(b.count) && b.count > 0 ? b.count : 0));
  const most = Math.max(0, ...counts);
  // Counts wider than their column at 320 px alternate between two rows so neighbours never touch.
  const slotPx = slot * plotWidthAtNarrow(padding);
  const stagger = bars.some((b) => textWidth(b.countText, 12) > slotPx - 4);
  const top = stagger ? 36 : 22;
  const base = top + barMax;
  const heightOf = (count: number) => (most > 0 ? (count / most) * barMax : 0);

  const rects = bars.map((b, i) => {
    const h = heightOf(counts[i] ?? 0);
    return html`<rect class="${segmentClass(b.segment)}" x="${pct(centre(i) - slot * 0.35)}" y="${n2(base - h)}" width="${pct(slot * 0.7)}" height="${n2(h)}"/>`;
  });
  const countLabels = bars.map((b, i) => {
    const y = base - heightOf(counts[i] ?? 0) - (stagger && i % 2 === 1 ? 20 : 6);
    return html`<text x="${pct(centre(i))}" y="${n2(y)}">${b.countText}</text>`;
  });
  const body = html`${rects}<line class="ax" x1="0" x2="100%" y1="${base}" y2="${base}"/><g text-anchor="middle">${countLabels}</g>${xLabels(
    bars.map((b) => b.label),
    bars.map((_, i) => centre(i)),
    base + 17,
    padding,
  )}`;

  const names = new Map(input.legend.map((l) => [l.segment, l.name]));
  const table = dataTable(
    input.dataTableLabel,
    [input.columns.label, input.columns.segment, input.columns.count, input.columns.share],
    bars.map((b) => ({
      key: b.key,
      label: b.label,
      cells: [
        { col: 'segment', text: names.get(b.segment) ?? '' },
        { col: 'count', text: b.countText, value: b.count },
        { col: 'share', text: b.shareText, value: b.share },
      ],
    })),
  );
  const items = input.legend.map((l) => ({
    swatch: html`<span class="sw ${segmentClass(l.segment)}"></span>`,
    text: l.name,
  }));
  return figure({
    kind: 'distribution',
    text: input,
    padding,
    height: base + 24,
    body,
    after: legend(items),
    table,
  });
}
