/**
 * Scales and axes. Horizontal positions are fractions written as percentages of the plot width, so
 * a chart stretches to its column; vertical ones are pixels, so text keeps its size.
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import { ellipsize, narrowPx, textWidth } from './measure.ts';

export interface Tick {
  value: number;
  /** The tick's label, formatted by the caller. */
  text: string;
}

export interface ChartScale {
  min: number;
  max: number;
  ticks: readonly Tick[];
}

/** A shaded range on a scale, such as a benchmark ("0–30: good"). */
export interface Band {
  from: number;
  to: number;
  label: string;
}

export const isFiniteNumber = (v: number | null | undefined): v is number =>
  typeof v === 'number' && Number.isFinite(v);

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** A coordinate rounded to 2 decimals, without trailing zeros or a negative zero. */
export const n2 = (v: number): string => String(Math.round(v * 100) / 100 || 0);

/** A fraction of the plot width as a percentage within 0–100 %. */
export const pct = (fraction: number): string => `${n2(clamp(fraction, 0, 1) * 100)}%`;

/** Where a value sits on the scale, from 0 (min) to 1 (max); values outside are clipped. */
export function fractionOf(scale: ChartScale, value: number): number {
  const span = scale.max - scale.min;
  if (!(span > 0) || !Number.isFinite(span)) return 0.5;
  return clamp((value - scale.min) / span, 0, 1);
}

export const ticksWithin = (scale: ChartScale): Tick[] =>
  scale.ticks.filter((t) => isFiniteNumber(t.value) && t.value >= scale.min && t.value <= scale.max);

/** Side paddings of a plot, as the CSS class that sets them (see style.ts) and their size. */
export interface Padding {
  cls: string;
  left: number;
  right: number;
}

export const sidePadding: Padding = { cls: 'px', left: 16, right: 16 };
export const noPadding: Padding = { cls: '', left: 0, right: 0 };
const axisPaddings: readonly Padding[] = [
  { cls: 'pa', left: 40, right: 16 },
  { cls: 'pb', left: 56, right: 16 },
  { cls: 'pc', left: 72, right: 16 },
];

/** The narrowest left padding that holds the y tick labels (written into it, right-aligned). */
export function axisPadding(ticks: readonly Tick[]): Padding {
  const widest = Math.max(0, ...ticks.map((t) => textWidth(t.text, 12)));
  return axisPaddings.find((p) => widest + 8 <= p.left) ?? (axisPaddings[2] as Padding);
}

export const plotWidthAtNarrow = (p: Padding): number => narrowPx - p.left - p.right;

/** Horizontal gridlines and their labels in the left padding; `y` maps a value to a pixel row. */
export function yAxis(scale: ChartScale, y: (v: number) => number, padding: Padding): SafeHtml {
  const ticks = ticksWithin(scale);
  const lines = ticks.map((t) => html`<line x2="100%" y1="${n2(y(t.value))}" y2="${n2(y(t.value))}"/>`);
  const labels = ticks.map(
    (t) => html`<text x="-6" y="${n2(y(t.value) + 4)}">${ellipsize(t.text, padding.left - 8, 12)}</text>`,
  );
  return html`<g class="g">${lines}</g><g class="mu" text-anchor="end">${labels}</g>`;
}

/**
 * Where to centre a label of `widthPx` meant to sit centred at `fraction` of the plot, as a fraction
 * of the plot: moved inwards just enough to stay within the chart (paddings included) at the
 * narrowest width. Wider charts only give it more room, and it stays near its point.
 */
export function centreWithin(fraction: number, widthPx: number, padding: Padding): number {
  const plotPx = plotWidthAtNarrow(padding);
  const lo = widthPx / 2 - padding.left;
  const hi = plotPx + padding.right - widthPx / 2;
  return clamp(lo > hi ? fraction : clamp(fraction * plotPx, lo, hi) / plotPx, 0, 1);
}

/**
 * Labels centred under points at the given fractions of the plot width, thinned to every k-th
 * (counted back from the last, the most recent) until none overlap at the narrowest width.
 */
export function xLabels(
  labels: readonly string[],
  fractions: readonly number[],
  y: number,
  padding: Padding,
): SafeHtml {
  const plotPx = plotWidthAtNarrow(padding);
  const texts = labels.map((l) => ellipsize(l, Math.max(40, plotPx * 0.6), 12));
  const placed = texts.map((text, i) => {
    const w = textWidth(text, 12);
    const centre = centreWithin(fractions[i] ?? 0, w, padding);
    return { text, centre, left: centre * plotPx - w / 2, right: centre * plotPx + w / 2 };
  });
  let chosen = placed;
  for (let step = 1; step <= placed.length; step++) {
    chosen = placed.filter((_, i) => (placed.length - 1 - i) % step === 0);
    if (chosen.every((p, k) => k === 0 || (chosen[k - 1]?.right ?? 0) + 6 <= p.left)) break;
  }
  return html`<g class="mu" text-anchor="middle">${chosen.map((p) => html`<text x="${pct(p.centre)}" y="${y}">${p.text}</text>`)}</g>`;
}

/**
 * Where a text beside a bar's end goes: after the end (start-aligned, or end-aligned for bars that
 * grow leftwards) when it fits there on a narrow screen, otherwise inside the bar.
 */
export function endText(
  origin: number,
  end: number,
  outerEnd: number,
  innerEnd: number,
  widthPx: number,
  plotPx: number,
): { x: string; dx: number; anchor: 'start' | 'end'; inside: boolean } {
  const leftwards = end < origin;
  const room = (leftwards ? outerEnd : 1 - outerEnd) * plotPx;
  if (room >= widthPx + 6)
    return leftwards
      ? { x: pct(outerEnd), dx: -5, anchor: 'end', inside: false }
      : { x: pct(outerEnd), dx: 5, anchor: 'start', inside: false };
  return leftwards
    ? { x: pct(innerEnd), dx: 5, anchor: 'start', inside: true }
    : { x: pct(innerEnd), dx: -5, anchor: 'end', inside: true };
}
