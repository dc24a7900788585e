/**
 * A score broken down by a contact property: one horizontal bar per value, from the zero line
 * (NPS on −100..100, zero in the middle) or from the scale's minimum (means), with whiskers for the
 * 95 % interval. The value's name sits above its bar, where it can wrap on a phone, followed by its
 * n; the score sits at the bar's end (inside the bar when there is no room beyond it).
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import {
  type ChartScale,
  clamp,
  endText,
  fractionOf,
  isFiniteNumber,
  n2,
  pct,
  plotWidthAtNarrow,
  sidePadding,
  ticksWithin,
  xLabels,
} from './axis.ts';
import { type ChartText, checkId, dataTable, figure, group } from './frame.ts';
import { textWidth, wrapText } from './measure.ts';

export interface SegmentRow {
  key: string;
  /** The property's value, e.g. "Enterprise". */
  label: string;
  value: number | null;
  low?: number;
  high?: number;
  /** The interval's half-width as the API gives it: the table's interval value. */
  margin?: number;
  valueText: string;
  intervalText: string;
  n: number;
  nText: string;
}

export interface SegmentInput extends ChartText {
  /** `origin`: where bars start; 0 when the scale holds it (NPS), else the scale's minimum (means). */
  scale: ChartScale & { origin?: number };
  rows: readonly SegmentRow[];
  columns: { label: string; value: string; interval: string; n: string };
}

const lineHeight = 17;
const barHeight = 16;

export function segmentChart(input: SegmentInput): SafeHtml {
  checkId(input.id);
  const { scale } = input;
  const padding = sidePadding;
  const plotPx = plotWidthAtNarrow(padding);
  const origin = fractionOf(
    scale,
    isFiniteNumber(scale.origin) ? scale.origin : clamp(0, scale.min, scale.max),
  );

  let top = 0;
  const labels: SafeHtml[] = [];
  const bars: SafeHtml[] = [];
  const whiskers: SafeHtml[] = [];
  const values: SafeHtml[] = [];
  for (const r of input.rows) {
    const lines = wrapText(r.label, plotPx, 13, 3);
    const last = lines.length - 1;
    const nOnLastLine = textWidth(`${lines[last]} · ${r.nText}`, 13) <= plotPx;
    const nSpan = html`<tspan class="mu"${nOnLastLine ? '' : html` x="0" dy="${lineHeight}"`}>${nOnLastLine ? ' · ' : ''}${r.nText}</tspan>`;
    labels.push(
      html`<text y="${top + 13}">${lines.map((l, k) => html`<tspan x="0"${k === 0 ? '' : html` dy="${lineHeight}"`}>${l}</tspan>`)}${nSpan}</text>`,
    );
    const barTop = top + (lines.length + (nOnLastLine ? 0 : 1)) * lineHeight + 3;
    const mid = barTop + barHeight / 2;
    const textY = n2(mid + 4);
    if (isFiniteNumber(r.value)) {
      const end = fractionOf(scale, r.value);
      bars.push(
        html`<rect x="${pct(Math.min(origin, end))}" y="${barTop}" width="${pct(Math.abs(end - origin))}" height="${barHeight}"/>`,
      );
      let outer = end;
      let inner = end;
      if (isFiniteNumber(r.low) && isFiniteNumber(r.high)) {
        const lo = fractionOf(scale, Math.min(r.low, r.high));
        const hi = fractionOf(scale, Math.max(r.low, r.high));
        whiskers.push(
          html`<line x1="${pct(lo)}" x2="${pct(hi)}" y1="${mid}" y2="${mid}"/><line x1="${pct(lo)}" x2="${pct(lo)}" y1="${mid - 5}" y2="${mid + 5}"/><line x1="${pct(hi)}" x2="${pct(hi)}" y1="${mid - 5}" y2="${mid + 5}"/>`,
        );
        outer = end >= origin ? Math.max(end, hi) : Math.min(end, lo);
        inner = end >= origin ? clamp(lo, origin, end) : clamp(hi, end, origin);
      }
      const at = endText(origin, end, outer, inner, textWidth(r.valueText, 12, true), plotPx);
      const fitsInside = Math.abs(inner - origin) * plotPx >= textWidth(r.valueText, 12, true) + 10;
      values.push(
        at.inside && fitsInside
          ? html`<text class="in" x="${at.x}" dx="${at.dx}" y="${textY}" text-anchor="${at.anchor}">${r.valueText}</text>`
          : html`<text x="${pct(outer)}" dx="${end < origin ? -5 : 5}" y="${textY}" font-weight="700"${end < origin ? html` text-anchor="end"` : ''}>${r.valueText}</text>`,
      );
    } else {
      const leftwards = origin > 0.5;
      values.push(
        html`<text class="mu" x="${pct(origin)}" dx="${leftwards ? -5 : 5}" y="${textY}"${leftwards ? html` text-anchor="end"` : ''}>${r.valueText}</text>`,
      );
    }
    top = barTop + barHeight + 14;
  }

  const rowsEnd = Math.max(top - 8, 8);
  const ticks = ticksWithin(scale);
  const grid = ticks.map(
    (t) =>
      html`<line x1="${pct(fractionOf(scale, t.value))}" x2="${pct(fractionOf(scale, t.value))}" y1="0" y2="${rowsEnd}"/>`,
  );
  const body = html`${group('g', grid)}<line class="ax" x1="${pct(origin)}" x2="${pct(origin)}" y1="0" y2="${rowsEnd}"/>${group('da', bars)}${group('br', whiskers)}<g class="lg h">${labels}</g>${values}${xLabels(
    ticks.map((t) => t.text),
    ticks.map((t) => fractionOf(scale, t.value)),
    rowsEnd + 16,
    padding,
  )}`;

  const c = input.columns;
  const table = dataTable(
    input.dataTableLabel,
    [c.label, c.value, c.interval, c.n],
    input.rows.map((r) => ({
      key: r.key,
      label: r.label,
      cells: [
        { col: 'value', text: r.valueText, value: r.value },
        {
          col: 'interval',
          text: r.intervalText,
          value: r.margin ?? null,
          extra: { low: r.low, high: r.high },
        },
        { col: 'n', text: r.nText, value: r.n },
      ],
    })),
  );
  return figure({ kind: 'segments', text: input, padding, height: rowsEnd + 24, body, table });
}
