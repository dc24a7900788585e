/**
 * A score across waves or periods: one point each with its 95 % interval as a vertical bar, joined
 * by lines (broken where a point has no value), over the scale's gridlines and optional shaded,
 * labelled reference bands. A point whose change from the previous one is significant gets a ring
 * and a ▲/▼ for its direction, explained in the legend, so colour never carries it alone.
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import {
  axisPadding,
  type Band,
  type ChartScale,
  fractionOf,
  isFiniteNumber,
  n2,
  pct,
  plotWidthAtNarrow,
  xLabels,
  yAxis,
} from './axis.ts';
import { type ChartText, checkId, dataTable, figure, group, legend } from './frame.ts';
import { ellipsize, textWidth } from './measure.ts';

export interface TrendPoint {
  key: string;
  /** The wave's or period's name under the point, e.g. "Wave 3", "W14". */
  label: string;
  value: number | null;
  /** The 95 % interval's ends, drawn as the point's error bar. */
  low?: number;
  high?: number;
  /** The interval's half-width as the API gives it (e.g. `marginOfError`): the table's interval value. */
  margin?: number;
  valueText: string;
  intervalText: string;
  n: number;
  nText: string;
  /** Change from the previous point; absent for the first one and next to a gap. */
  change?: number;
  changeText?: string;
  significant: boolean;
}

export interface TrendInput extends ChartText {
  scale: ChartScale;
  bands?: readonly Band[];
  points: readonly TrendPoint[];
  /** Legend text of the significance mark, e.g. "Significant change (95 %)". */
  markLabel: string;
  /** Legend text of the error bars, e.g. "95 % interval". */
  intervalLabel: string;
  columns: { label: string; value: string; interval: string; n: string; change: string; significant: string };
  yes: string;
  no: string;
}

const top = 28;
const bottom = 216;
const height = 246;

interface Box {
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}
const meets = (a: Box, b: Box) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

export function trendChart(input: TrendInput): SafeHtml {
  checkId(input.id);
  const { id, scale, points } = input;
  const padding = axisPadding(scale.ticks);
  const y = (v: number) => bottom - fractionOf(scale, v) * (bottom - top);
  const x = (i: number) => (i + 0.5) / Math.max(1, points.length);
  const many = points.length > 20;
  const r = many ? 2.5 : points.length > 12 ? 3 : 4;
  const drawn = points.map((p) => (isFiniteNumber(p.value) ? p.value : null));

  // What the data covers at the narrowest width, for the band labels to keep clear of.
  const plotPx = plotWidthAtNarrow(padding);
  const covered: Box[] = points.flatMap((p, i) => {
    const v = drawn[i];
    if (v === null || v === undefined) return [];
    const cx = x(i) * plotPx;
    const cy = y(v);
    const reach = p.significant ? r + 6 : r + 1;
    const boxes = [{ x1: cx - reach, x2: cx + reach, y1: cy - reach, y2: cy + reach }];
    if (isFiniteNumber(p.low) && isFiniteNumber(p.high))
      boxes.push({ x1: cx - 1, x2: cx + 1, y1: y(Math.max(p.low, p.high)), y2: y(Math.min(p.low, p.high)) });
    const next = drawn[i + 1];
    if (next !== null && next !== undefined)
      for (let k = 1; k < 8; k++) {
        const lx = cx + ((x(i + 1) * plotPx - cx) * k) / 8;
        const ly = cy + ((y(next) - cy) * k) / 8;
        boxes.push({ x1: lx - 1, x2: lx + 1, y1: ly - 1, y2: ly + 1 });
      }
    return boxes;
  });

  // Each band's label goes in the band's corner that the data touches least; a label cut short
  // on a phone is written out in full in the legend.
  const bands = (input.bands ?? []).filter((b) => isFiniteNumber(b.from) && isFiniteNumber(b.to));
  const bandRects = bands.map((b) => {
    const y1 = y(Math.max(b.from, b.to));
    const y2 = y(Math.min(b.from, b.to));
    return html`<rect width="100%" y="${n2(y1)}" height="${n2(y2 - y1)}"/>`;
  });
  const cutBands: Band[] = [];
  const bandLabels = bands.map((b) => {
    const text = ellipsize(b.label, plotPx - 8, 12);
    if (text !== b.label) cutBands.push(b);
    const w = textWidth(text, 12);
    const yTop = y(Math.max(b.from, b.to));
    const yBottom = y(Math.min(b.from, b.to));
    const corners = [
      { right: false, base: yTop + 13 },
      { right: true, base: yTop + 13 },
      { right: false, base: yBottom - 5 },
      { right: true, base: yBottom - 5 },
    ];
    const hits = (c: (typeof corners)[number]) => {
      const box = {
        x1: c.right ? plotPx - 4 - w : 4,
        x2: c.right ? plotPx - 4 : 4 + w,
        y1: c.base - 10,
        y2: c.base + 3,
      };
      return covered.filter((d) => meets(box, d)).length;
    };
    const best = corners.reduce((a, c) => (hits(c) < hits(a) ? c : a));
    return best.right
      ? html`<text x="100%" dx="-4" y="${n2(best.base)}" text-anchor="end">${text}</text>`
      : html`<text x="4" y="${n2(best.base)}">${text}</text>`;
  });

  const errorBars = points.map((p, i) =>
    drawn[i] !== null && isFiniteNumber(p.low) && isFiniteNumber(p.high)
      ? html`<line x1="${pct(x(i))}" x2="${pct(x(i))}" y1="${n2(y(p.high))}" y2="${n2(y(p.low))}"/>`
      : '',
  );
  const lines = points.map((_, i) => {
    const a = drawn[i - 1];
    const b = drawn[i];
    if (i === 0 || a === null || a === undefined || b === null || b === undefined) return '';
    return html`<line x1="${pct(x(i - 1))}" x2="${pct(x(i))}" y1="${n2(y(a))}" y2="${n2(y(b))}"/>`;
  });
  const dots = points.map((_, i) => {
    const v = drawn[i];
    return v === null || v === undefined ? '' : html`<circle cx="${pct(x(i))}" cy="${n2(y(v))}" r="${r}"/>`;
  });

  // The ring around the point, the direction glyph just beyond the error bar (below it near the top).
  const ring = r + 4;
  const marks = points.flatMap((p, i) => {
    const v = drawn[i];
    if (!p.significant || v === null || v === undefined) return [];
    const cy = y(v);
    const upper = Math.min(cy - ring - 2, isFiniteNumber(p.high) ? y(p.high) - 3 : cy) - 5;
    const lower = Math.max(cy + ring + 2, isFiniteNumber(p.low) ? y(p.low) + 3 : cy) + 5;
    const glyph =
      isFiniteNumber(p.change) && p.change !== 0
        ? html`<use href="#${id}-${p.change > 0 ? 'up' : 'dn'}" x="${pct(x(i))}" y="${n2(upper >= 6 ? upper : lower)}"/>`
        : '';
    return [{ ring: html`<circle cx="${pct(x(i))}" cy="${n2(cy)}" r="${ring}"/>`, glyph }];
  });
  const defs =
    marks.length > 0
      ? html`<defs><path id="${id}-up" d="M0-4.5l5 9h-10z"/><path id="${id}-dn" d="M-5-4.5h10l-5 9z"/></defs>`
      : '';

  const body = html`${defs}${group('band', bandRects)}${yAxis(scale, y, padding)}${group('mu h', bandLabels)}${group('eb', errorBars)}${group('ln', lines)}${group('pt', dots)}${group(
    'sig',
    marks.map((m) => m.ring),
  )}${group(
    'gl',
    marks.map((m) => m.glyph),
  )}${xLabels(
    points.map((p) => p.label),
    points.map((_, i) => x(i)),
    height - 8,
    padding,
  )}`;

  const items: { swatch: SafeHtml; text: string }[] = cutBands.map((b) => ({
    swatch: html`<span class="sw bsw"></span>`,
    text: b.label,
  }));
  if (marks.length > 0)
    items.push({
      swatch: html`<svg width="28" height="16" aria-hidden="true"><circle class="sig" cx="8" cy="8" r="6"/><path class="gl" d="M18 12.5l4.5-9 4.5 9z"/></svg>`,
      text: input.markLabel,
    });
  if (errorBars.some((e) => e !== ''))
    items.push({
      swatch: html`<svg width="10" height="16" aria-hidden="true"><line class="eb" x1="5" x2="5" y1="1" y2="15"/><circle class="pt" cx="5" cy="8" r="3.5"/></svg>`,
      text: input.intervalLabel,
    });

  const c = input.columns;
  const table = dataTable(
    input.dataTableLabel,
    [c.label, c.value, c.interval, c.n, c.change, c.significant],
    points.map((p) => ({
      key: p.key,
      label: p.label,
      cells: [
        { col: 'value', text: p.valueText, value: p.value },
        {
          col: 'interval',
          text: p.intervalText,
          value: p.margin ?? null,
          extra: { low: p.low, high: p.high },
        },
        { col: 'n', text: p.nText, value: p.n },
        { col: 'change', text: p.changeText ?? '', value: p.change ?? null },
        { col: 'significant', text: p.significant ? input.yes : input.no, value: p.significant ? 1 : 0 },
      ],
    })),
  );
  return figure({ kind: 'trend', text: input, padding, height, body, after: legend(items), table });
}
