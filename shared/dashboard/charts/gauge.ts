/**
 * The headline score on its scale (NPS: −100..100): a horizontal track with the benchmark bands
 * shaded on it, the score as a marker with its value above, its 95 % interval as a bracket across
 * the track, and under the axis each band's extent as a bracket with its label (on as many rows as
 * it takes for the labels not to collide on a phone).
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import {
  type Band,
  type ChartScale,
  centreWithin,
  fractionOf,
  isFiniteNumber,
  pct,
  plotWidthAtNarrow,
  sidePadding,
  ticksWithin,
  xLabels,
} from './axis.ts';
import { type ChartText, checkId, dataTable, figure, group, rawNumber } from './frame.ts';
import { textWidth, wrapText } from './measure.ts';

export interface GaugeBand extends Band {
  /** The ends as the table shows them, e.g. "0" and "30"; the bare numbers when absent. */
  fromText?: string;
  toText?: string;
}

export interface GaugeInput extends ChartText {
  scale: ChartScale;
  value: number | null;
  low?: number;
  high?: number;
  /** The score, e.g. "+31.2", and its interval, e.g. "±5.1" or "26.1 to 36.3". */
  valueText: string;
  intervalText: string;
  /** The interval's ends as the table's from/to show them; the bare numbers when absent. */
  lowText?: string;
  highText?: string;
  /** The score row's header in the table, e.g. "Score"; `valueText` when absent. */
  scoreLabel?: string;
  bands: readonly GaugeBand[];
  /** `value`, when given, adds a column with the score itself (empty for the bands). */
  columns: { label: string; from: string; to: string; value?: string };
}

const trackTop = 36;
const trackHeight = 24;
const axisY = trackTop + trackHeight;
const bandRowsTop = axisY + 30;

interface Extent {
  left: number;
  right: number;
}
const overlaps = (a: Extent, b: Extent, gap: number) => a.left < b.right + gap && b.left < a.right + gap;

export function scoreGauge(input: GaugeInput): SafeHtml {
  checkId(input.id);
  const { id, scale } = input;
  const padding = sidePadding;
  const plotPx = plotWidthAtNarrow(padding);
  const x = (v: number) => fractionOf(scale, v);
  const value = isFiniteNumber(input.value) ? input.value : null;

  // The score's text: centred over the marker, or as near it as the chart's edges allow.
  const valueWidth = textWidth(input.valueText, 15, true) + textWidth(` ${input.intervalText}`, 12);
  const textAt = html`x="${pct(centreWithin(value === null ? 0.5 : x(value), valueWidth, padding))}"`;
  const headline =
    value === null
      ? html`<text class="mu" ${textAt} y="20" text-anchor="middle">${input.valueText}</text>`
      : html`<text ${textAt} y="20" text-anchor="middle"><tspan class="vb">${input.valueText}</tspan><tspan class="mu"> ${input.intervalText}</tspan></text>`;

  const bands = input.bands.filter((b) => isFiniteNumber(b.from) && isFiniteNumber(b.to));
  const bandRects = bands.map((b) => {
    const a = x(Math.min(b.from, b.to));
    return html`<rect x="${pct(a)}" y="${trackTop}" width="${pct(x(Math.max(b.from, b.to)) - a)}" height="${trackHeight}"/>`;
  });

  let marker: SafeHtml | string = '';
  if (value !== null) {
    const at = pct(x(value));
    const mid = trackTop + trackHeight / 2;
    const bracket =
      isFiniteNumber(input.low) && isFiniteNumber(input.high)
        ? html`<g class="br"><line x1="${pct(x(input.low))}" x2="${pct(x(input.high))}" y1="${mid}" y2="${mid}"/><line x1="${pct(x(input.low))}" x2="${pct(x(input.low))}" y1="${mid - 7}" y2="${mid + 7}"/><line x1="${pct(x(input.high))}" x2="${pct(x(input.high))}" y1="${mid - 7}" y2="${mid + 7}"/></g>`
        : '';
    marker = html`${bracket}<defs><path id="${id}-pin" d="M-6-4h12l-6 8z"/></defs><use class="gl" href="#${id}-pin" x="${at}" y="28"/><line class="mk" x1="${at}" x2="${at}" y1="${trackTop - 2}" y2="${axisY + 2}"/>`;
  }

  const ticks = ticksWithin(scale);
  const tickMarks = ticks.map(
    (t) => html`<line x1="${pct(x(t.value))}" x2="${pct(x(t.value))}" y1="${axisY}" y2="${axisY + 5}"/>`,
  );

  // Band labels (wrapped) go to the first row where neither the label nor the bracket meets another.
  const rows: { used: Extent[]; lines: number }[] = [];
  const placed = [...bands]
    .sort((a, b) => Math.min(a.from, a.to) - Math.min(b.from, b.to))
    .map((b) => {
      const a = x(Math.min(b.from, b.to));
      const z = x(Math.max(b.from, b.to));
      const lines = wrapText(b.label, Math.max(plotPx * 0.6, (z - a) * plotPx), 12, 3);
      const w = Math.max(...lines.map((l) => textWidth(l, 12)));
      const centre = centreWithin((a + z) / 2, w, padding);
      const left = centre * plotPx - w / 2;
      const extents = [
        { left, right: left + w },
        { left: a * plotPx, right: z * plotPx },
      ];
      let row = rows.findIndex((r) => !r.used.some((u) => extents.some((e) => overlaps(e, u, 8))));
      if (row < 0) row = rows.push({ used: [], lines: 0 }) - 1;
      const r = rows[row] as (typeof rows)[number];
      r.used.push(...extents);
      r.lines = Math.max(r.lines, lines.length);
      return { a, z, lines, row, centre };
    });
  const rowTops = [bandRowsTop];
  for (const r of rows) rowTops.push((rowTops.at(-1) ?? bandRowsTop) + 22 + r.lines * 15);
  const bandMarks = placed.map((p) => {
    const y = rowTops[p.row] ?? bandRowsTop;
    return {
      lines: html`<line x1="${pct(p.a)}" x2="${pct(p.z)}" y1="${y}" y2="${y}"/><line x1="${pct(p.a)}" x2="${pct(p.a)}" y1="${y - 5}" y2="${y}"/><line x1="${pct(p.z)}" x2="${pct(p.z)}" y1="${y - 5}" y2="${y}"/>`,
      text: html`<text y="${y + 15}" text-anchor="middle">${p.lines.map((l, k) => html`<tspan x="${pct(p.centre)}"${k === 0 ? '' : html` dy="15"`}>${l}</tspan>`)}</text>`,
    };
  });
  const height = bands.length === 0 ? axisY + 24 : (rowTops.at(-1) ?? bandRowsTop) - 16;

  const body = html`${headline}<rect class="trk" x="0" y="${trackTop}" width="100%" height="${trackHeight}"/>${group('band', bandRects)}${marker}${group('ax', tickMarks)}${xLabels(
    ticks.map((t) => t.text),
    ticks.map((t) => x(t.value)),
    axisY + 18,
    padding,
  )}${group(
    'ax',
    bandMarks.map((m) => m.lines),
  )}${group(
    'mu',
    bandMarks.map((m) => m.text),
  )}`;

  const c = input.columns;
  const withValue = c.value !== undefined;
  const valueCell = (text: string, value: number | null) =>
    withValue ? [{ col: 'value', text, value }] : [];
  const numberText = (text: string | undefined, v: number | undefined) => text ?? rawNumber(v);
  const table = dataTable(
    input.dataTableLabel,
    withValue ? [c.label, c.value ?? '', c.from, c.to] : [c.label, c.from, c.to],
    [
      {
        key: 'score',
        label: input.scoreLabel ?? input.valueText,
        cells: [
          ...valueCell(input.valueText, input.value),
          { col: 'from', text: numberText(input.lowText, input.low), value: input.low ?? null },
          { col: 'to', text: numberText(input.highText, input.high), value: input.high ?? null },
        ],
      },
      ...input.bands.map((b, i) => ({
        key: `band-${i + 1}`,
        label: b.label,
        cells: [
          ...valueCell('', null),
          { col: 'from', text: numberText(b.fromText, b.from), value: b.from },
          { col: 'to', text: numberText(b.toText, b.to), value: b.to },
        ],
      })),
    ],
  );
  return figure({ kind: 'gauge', text: input, padding, height: Math.round(height), body, table });
}
