/**
 * The score as a terminal shows it: the headline figure with its margin, the segment counts, the
 * distribution as a bar chart coloured by segment, the response rate, the trend per wave, and a
 * table per segment value (`--by`).
 */
import * as v from 'valibot';
import { type Scale, type Segment, type SurveyKind, segmentOf } from '../shared/scoring.ts';
import { bar } from './progress.ts';
import { renderTable } from './table.ts';
import { type Colour, formatNumber, formatShare, type Paint } from './terminal.ts';

const num = v.optional(v.nullable(v.number()));

const figureEntries = {
  responses: v.optional(v.number(), 0),
  distribution: v.optional(v.record(v.string(), v.number()), {}),
  responseRate: num,
  nps: num,
  promoters: num,
  passives: num,
  detractors: num,
  marginOfError: num,
  mean: num,
  satisfiedShare: num,
};
const figures = v.looseObject(figureEntries);
export type Figures = v.InferOutput<typeof figures>;

export const scoreAnswer = v.looseObject({
  ...figureEntries,
  kind: v.picklist(['nps', 'csat', 'ces']),
  scale: v.optional(v.looseObject({ min: v.number(), max: v.number() })),
  segments: v.optional(v.record(v.string(), figures)),
  waves: v.optional(
    v.array(
      v.looseObject({ ...figureEntries, waveId: v.string(), startedAt: v.optional(v.nullable(v.string())) }),
    ),
  ),
});
export type ScoreAnswer = v.InferOutput<typeof scoreAnswer>;

const segmentColour: Record<Segment, Colour> = {
  promoter: 'green',
  passive: 'yellow',
  detractor: 'red',
  high: 'green',
  neutral: 'yellow',
  low: 'red',
};

/** Scales assumed when the answer does not say (CSAT 1–5 and CES 1–7 are the common ones). */
const defaultScales: Record<SurveyKind, Scale> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

export function renderScore(score: ScoreAnswer, paint: Paint, by?: string): string {
  const blocks = [
    [paint('bold', headline(score.kind, score)), ...detailLines(score.kind, score)].join('\n'),
    distributionChart(score, paint),
  ];
  if (score.waves !== undefined && score.waves.length > 0) blocks.push(waveTrend(score));
  if (score.segments !== undefined) blocks.push(segmentTable(score, by ?? 'segment'));
  return blocks.filter((b) => b !== '').join('\n\n');
}

/** `NPS 42 ±9.8 (n=120)`, `CSAT 4.21 mean, 78.0% satisfied (n=80)`, `CES 5.3 mean (n=40)`. */
export function headline(kind: SurveyKind, f: Figures): string {
  const n = `(n=${formatNumber(f.responses, 0)})`;
  if (kind === 'nps') {
    if (f.nps === null || f.nps === undefined) return `NPS – ${n}`;
    const margin = typeof f.marginOfError === 'number' ? ` ±${formatNumber(f.marginOfError)}` : '';
    return `NPS ${formatNumber(f.nps)}${margin} ${n}`;
  }
  const label = kind.toUpperCase();
  if (f.mean === null || f.mean === undefined) return `${label} – ${n}`;
  const satisfied =
    kind === 'csat' && typeof f.satisfiedShare === 'number'
      ? `, ${formatShare(f.satisfiedShare)} satisfied`
      : '';
  return `${label} ${formatNumber(f.mean, 2)} mean${satisfied} ${n}`;
}

function detailLines(kind: SurveyKind, f: Figures): string[] {
  const lines: string[] = [];
  if (kind === 'nps' && f.responses > 0) {
    const part = (label: string, count: number | null | undefined) =>
      `${label} ${formatNumber(count ?? 0, 0)} (${formatShare((count ?? 0) / f.responses)})`;
    lines.push(
      [part('promoters', f.promoters), part('passives', f.passives), part('detractors', f.detractors)].join(
        ' · ',
      ),
    );
  }
  if (typeof f.responseRate === 'number') lines.push(`response rate ${formatShare(f.responseRate)}`);
  return lines;
}

/** One row per score, highest first: `10 ████████▌ 40 (33.3%)`, coloured by segment. */
export function distributionChart(score: ScoreAnswer, paint: Paint, width = 30): string {
  const scale = scaleOf(score);
  const count = (s: number) => score.distribution[String(s)] ?? 0;
  const max = Math.max(0, ...Object.values(score.distribution));
  const total = Object.values(score.distribution).reduce((a, b) => a + b, 0);
  if (total === 0) return 'No responses yet.';
  const labelWidth = String(scale.max).length;
  const countWidth = formatNumber(max, 0).length;
  const rows: string[] = [];
  for (let s = scale.max; s >= scale.min; s--) {
    const n = count(s);
    const colour = segmentColour[segmentOf(score.kind, scale, s)];
    const cells = bar(n / max, width).trimEnd();
    const drawn = paint(colour, cells) + ' '.repeat(width - cells.length);
    const figures = `${formatNumber(n, 0).padStart(countWidth)} ${formatShare(n / total).padStart(6)}`;
    rows.push(`${String(s).padStart(labelWidth)} │${drawn} ${figures}`);
  }
  return rows.join('\n');
}

/**
 * The scale to chart: NPS is 0–10; for CSAT and CES the answer's `scale` if it has one, else the
 * scores of the distribution (the server lists every point of the scale, zeros included), else
 * the usual scale of the kind. Widened to any score given outside it.
 */
function scaleOf(score: ScoreAnswer): Scale {
  const given = Object.keys(score.distribution)
    .map(Number)
    .filter((s) => Number.isInteger(s));
  const base =
    score.kind === 'nps'
      ? defaultScales.nps
      : (score.scale ??
        (given.length > 0
          ? { min: Math.min(...given), max: Math.max(...given) }
          : defaultScales[score.kind]));
  return { min: Math.min(base.min, ...given), max: Math.max(base.max, ...given) };
}

/** One line per wave, oldest first, with a bar placing its figure on the scale. */
function waveTrend(score: ScoreAnswer): string {
  const waves = [...(score.waves ?? [])].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  const scale = scaleOf(score);
  const [low, high] = score.kind === 'nps' ? [-100, 100] : [scale.min, scale.max];
  const rows = waves.map((w) => {
    const figure = score.kind === 'nps' ? w.nps : w.mean;
    const placed = typeof figure === 'number' ? bar((figure - low) / (high - low), 20) : ' '.repeat(20);
    const rate = typeof w.responseRate === 'number' ? formatShare(w.responseRate) : '–';
    return [
      (w.startedAt ?? '').slice(0, 10) || '–',
      w.waveId,
      placed,
      headline(score.kind, w),
      `rate ${rate}`,
    ];
  });
  return `Waves\n${renderTable(
    [{ title: 'STARTED' }, { title: 'WAVE' }, { title: '' }, { title: 'SCORE' }, { title: 'RESPONSE' }],
    rows,
  )}`;
}

/** A row per value of the `--by` property. */
function segmentTable(score: ScoreAnswer, by: string): string {
  const entries = Object.entries(score.segments ?? {}).sort((a, b) => b[1].responses - a[1].responses);
  if (entries.length === 0) return `By ${by}: no responses with this property yet.`;
  const fmt = (x: number | null | undefined, decimals = 1) =>
    typeof x === 'number' ? formatNumber(x, decimals) : '–';
  const share = (x: number | null | undefined) => (typeof x === 'number' ? formatShare(x) : '–');
  const right = (title: string) => ({ title, align: 'right' as const });
  if (score.kind === 'nps') {
    const rows = entries.map(([value, f]) => [
      value,
      fmt(f.responses, 0),
      fmt(f.nps),
      typeof f.marginOfError === 'number' ? `±${formatNumber(f.marginOfError)}` : '–',
      fmt(f.promoters, 0),
      fmt(f.passives, 0),
      fmt(f.detractors, 0),
      share(f.responseRate),
    ]);
    const columns = [
      { title: by.toUpperCase() },
      right('N'),
      right('NPS'),
      right('±'),
      right('PROM'),
      right('PASS'),
      right('DETR'),
      right('RATE'),
    ];
    return `By ${by}\n${renderTable(columns, rows)}`;
  }
  const rows = entries.map(([value, f]) => [
    value,
    fmt(f.responses, 0),
    fmt(f.mean, 2),
    share(f.satisfiedShare),
    share(f.responseRate),
  ]);
  const columns = [{ title: by.toUpperCase() }, right('N'), right('MEAN'), right('SATISFIED'), right('RATE')];
  if (score.kind === 'ces') {
    columns.splice(3, 1);
    for (const row of rows) row.splice(3, 1);
  }
  return `By ${by}\n${renderTable(columns, rows)}`;
}
