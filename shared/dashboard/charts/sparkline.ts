/**
 * A word-sized line of a series for tables and cards: fixed size, no text (so a viewBox is safe),
 * gaps where a value is missing, the last value marked. Its accessible name is the caller's label,
 * which should say the values; it is not a figure and has no table.
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import { fractionOf, isFiniteNumber, n2 } from './axis.ts';

export interface SparklineInput {
  /** The accessible name, listing the values, e.g. "NPS by wave: 12, 18, no answers, 25". */
  label: string;
  values: readonly (number | null)[];
  min: number;
  max: number;
  /** In px; 96 × 28 unless given. */
  width?: number;
  height?: number;
}

const size = (v: number | undefined, fallback: number): number =>
  isFiniteNumber(v) && v >= 8 && v <= 2000 ? Math.round(v) : fallback;

export function sparkline(input: SparklineInput): SafeHtml {
  const w = size(input.width, 96);
  const h = size(input.height, 28);
  const pad = 3;
  const { values } = input;
  const scale = { min: input.min, max: input.max, ticks: [] };
  const x = (i: number) => (values.length <= 1 ? w / 2 : pad + (i * (w - 2 * pad)) / (values.length - 1));
  const y = (v: number) => pad + (1 - fractionOf(scale, v)) * (h - 2 * pad);
  const at = (i: number, v: number) => `${n2(x(i))} ${n2(y(v))}`;

  // Runs of consecutive values: a line each; a value alone between gaps gets a dot.
  const runs: { i: number; v: number }[][] = [];
  let run: { i: number; v: number }[] = [];
  values.forEach((v, i) => {
    if (isFiniteNumber(v)) run.push({ i, v });
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 0) runs.push(run);
  const d = runs
    .filter((r) => r.length > 1)
    .map((r) => r.map((p, k) => `${k === 0 ? 'M' : 'L'}${at(p.i, p.v)}`).join(''))
    .join('');
  const last = runs.at(-1)?.at(-1);
  const dots = runs
    .filter((r) => r.length === 1 && r[0] !== last)
    .map((r) => (r[0] ? html`<circle cx="${n2(x(r[0].i))}" cy="${n2(y(r[0].v))}" r="1.5"/>` : ''));
  return html`<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${input.label}"><title>${input.label}</title>${d === '' ? '' : html`<path d="${d}"/>`}${dots}${last ? html`<circle class="end" cx="${n2(x(last.i))}" cy="${n2(y(last.v))}" r="2.5"/>` : ''}</svg>`;
}
