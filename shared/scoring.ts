/**
 * Score formulas, exactly as PRODUCT.md defines them, computed from answer counts per score. Every
 * figure npswave shows comes from here, whatever the number of answers. NPS and its margin are rounded to one decimal (CONTRACT.md);
 * means and shares are left unrounded.
 */
export type SurveyKind = 'nps' | 'csat' | 'ces';
export type NpsSegment = 'promoter' | 'passive' | 'detractor';
export type RatingSegment = 'low' | 'neutral' | 'high';
export type Segment = NpsSegment | RatingSegment;

export interface Scale {
  min: number;
  max: number;
}

export const npsScale: Scale = { min: 0, max: 10 };

export const segmentsOf = (kind: SurveyKind): readonly Segment[] =>
  kind === 'nps' ? ['promoter', 'passive', 'detractor'] : ['low', 'neutral', 'high'];

/** The segment a score falls in: NPS by its fixed bands; CSAT/CES: top two points high, bottom low. */
export function segmentOf(kind: SurveyKind, scale: Scale, score: number): Segment {
  if (kind === 'nps') return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
  if (score >= topBoxMin(scale)) return 'high';
  // On 1–3 only 1 is low; on 1–5, 1–2; on 1–7, 1–3: the mirror of the top box, less one on wide scales.
  const lowMax =
    scale.max - scale.min >= 6 ? scale.min + 2 : scale.max - scale.min >= 4 ? scale.min + 1 : scale.min;
  return score <= lowMax ? 'low' : 'neutral';
}

/** The lowest score that counts as satisfied: the top point on 1–3, the top two points otherwise. */
export const topBoxMin = (scale: Scale): number => (scale.max - scale.min <= 2 ? scale.max : scale.max - 1);

/** Answers per score: index = score. */
export type Distribution = Record<number, number>;

export interface Counts {
  responses: number;
  sum: number;
  distribution: Distribution;
}

export const emptyCounts = (): Counts => ({ responses: 0, sum: 0, distribution: {} });

export function addCounts(a: Counts, b: Counts): Counts {
  const distribution: Distribution = { ...a.distribution };
  for (const [score, n] of Object.entries(b.distribution)) {
    distribution[Number(score)] = (distribution[Number(score)] ?? 0) + n;
  }
  return { responses: a.responses + b.responses, sum: a.sum + b.sum, distribution };
}

/** What `a` counts beyond `b`, when `b` is a part of `a` (a breakdown's "other" values). */
export function subtractCounts(a: Counts, b: Counts): Counts {
  const distribution: Distribution = { ...a.distribution };
  for (const [score, n] of Object.entries(b.distribution)) {
    const left = (distribution[Number(score)] ?? 0) - n;
    if (left === 0) delete distribution[Number(score)];
    else distribution[Number(score)] = left;
  }
  return { responses: a.responses - b.responses, sum: a.sum - b.sum, distribution };
}

export interface NpsFigures {
  nps: number | null;
  promoters: number;
  passives: number;
  detractors: number;
  marginOfError: number | null;
}

export function npsFromCounts(counts: Counts): NpsFigures {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const [score, n] of Object.entries(counts.distribution)) {
    const segment = segmentOf('nps', npsScale, Number(score));
    if (segment === 'promoter') promoters += n;
    else if (segment === 'passive') passives += n;
    else detractors += n;
  }
  const n = promoters + passives + detractors;
  if (n === 0) return { nps: null, promoters, passives, detractors, marginOfError: null };
  const p = promoters / n;
  const d = detractors / n;
  return {
    nps: round1(100 * (p - d)),
    promoters,
    passives,
    detractors,
    marginOfError: round1(npsMarginOfError(p, d, n)),
  };
}

/** 95 % margin of error of an NPS, in points: 1.96 × 100 × sqrt((p + d − (p − d)²) / n). */
export function npsMarginOfError(p: number, d: number, n: number): number {
  if (n <= 0) return Number.NaN;
  const variance = p + d - (p - d) ** 2;
  return 1.96 * 100 * Math.sqrt(Math.max(0, variance) / n);
}

export interface RatingFigures {
  mean: number | null;
  satisfiedShare?: number | null;
}

export function csatFromCounts(counts: Counts, scale: Scale): Required<RatingFigures> {
  if (counts.responses === 0) return { mean: null, satisfiedShare: null };
  let satisfied = 0;
  for (const [score, n] of Object.entries(counts.distribution)) {
    if (Number(score) >= topBoxMin(scale)) satisfied += n;
  }
  return { mean: counts.sum / counts.responses, satisfiedShare: satisfied / counts.responses };
}

export function cesFromCounts(counts: Counts): RatingFigures {
  return { mean: counts.responses === 0 ? null : counts.sum / counts.responses };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
