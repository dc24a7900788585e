/**
 * What the dashboard shows of a survey, read in two requests whatever the number of answers: the
 * survey's aggregate items (all time, per wave, per day, per reported property value) and its waves.
 * Every figure is computed from counts (shared/scoring, shared/score/significance), so the numbers
 * are the score API's own.
 */
import { nowIso } from '../clock.ts';
import { type Breakdown, readBreakdown } from '../score/breakdown.ts';
import { aggregateItems } from '../score/read.ts';
import { type Change, compareScores, meanEstimate } from '../score/significance.ts';
import { type Counts, csatFromCounts, emptyCounts, npsFromCounts } from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';
import { isRollingWave } from '../wave/rolling.ts';
import { type PublicWave, publicWave, type Wave, type WaveCounts } from '../wave/schema.ts';
import { listWaves } from '../wave/store.ts';
import { groupDays, type PeriodUnit } from './periods.ts';

/**
 * The survey's headline figure with its 95 % interval: NPS (rounded to one decimal, as the API),
 * or the mean score for CSAT and CES. Nulls where there are no answers (or one, for a margin).
 */
export interface Headline {
  value: number | null;
  margin: number | null;
  low: number | null;
  high: number | null;
  n: number;
  /** CSAT: the share of satisfied answers (top box). */
  satisfiedShare?: number | null;
}

/** The range a headline lives on: NPS −100..100, a mean on its scale. */
export const headlineRange = (survey: Pick<Survey, 'kind' | 'scale'>): { min: number; max: number } =>
  survey.kind === 'nps' ? { min: -100, max: 100 } : { min: survey.scale.min, max: survey.scale.max };

export function headlineOf(survey: Pick<Survey, 'kind' | 'scale'>, counts: Counts): Headline {
  const range = headlineRange(survey);
  const interval = (value: number | null, margin: number | null) => ({
    value,
    margin,
    low: value === null || margin === null ? null : Math.max(range.min, value - margin),
    high: value === null || margin === null ? null : Math.min(range.max, value + margin),
  });
  if (survey.kind === 'nps') {
    const nps = npsFromCounts(counts);
    const n = nps.promoters + nps.passives + nps.detractors;
    // One answer has no spread to measure: its margin is unknown, not ± 0.
    return { ...interval(nps.nps, n < 2 ? null : nps.marginOfError), n };
  }
  const estimate = meanEstimate(counts);
  const head = { ...interval(estimate?.mean ?? null, estimate?.margin ?? null), n: estimate?.n ?? 0 };
  return survey.kind === 'csat'
    ? { ...head, satisfiedShare: csatFromCounts(counts, survey.scale).satisfiedShare }
    : head;
}

export interface WaveRow {
  wave: PublicWave;
  /** A rolling wave (link answers, triggered invitations): always open, no send of its own. */
  rolling: boolean;
  /** The wave's counts, with `responded` from its aggregate (answers counted exactly once). */
  counts: WaveCounts;
  delivered: number;
  responseRate: number | null;
  answers: Counts;
  headline: Headline;
}

export interface SegmentRow {
  value: string;
  /** The answers of every value beyond the most answered ones (shared/score/breakdown). */
  other?: true;
  answers: Counts;
  headline: Headline;
}

export interface SurveyReport {
  survey: Survey;
  answers: Counts;
  headline: Headline;
  delivered: number;
  responseRate: number | null;
  /** Oldest first. */
  waves: WaveRow[];
  /** Answers per UTC day of first answer. */
  days: Map<string, Counts>;
  /** One breakdown per `reportBy` property, values with the most answers first, "other" last. */
  segments: { property: string; rows: SegmentRow[] }[];
}

const deliveredOf = (wave: Wave): number => Math.max(0, (wave.counts.sent ?? 0) - (wave.counts.bounced ?? 0));
const rate = (responses: number, delivered: number): number | null =>
  delivered > 0 ? responses / delivered : null;

export async function readSurveyReport(survey: Survey): Promise<SurveyReport> {
  const [items, waves, breakdowns] = await Promise.all([
    aggregateItems(survey.id),
    listWaves(survey.id),
    Promise.all(survey.reportBy.map((property) => readBreakdown(survey.id, property))),
  ]);
  return buildReport(survey, items, waves, breakdowns);
}

/** The report from already-read items: pure, so the arithmetic is testable without a table. */
export function buildReport(
  survey: Survey,
  items: ReadonlyMap<string, Counts>,
  waves: Wave[],
  /** One per `reportBy` property, in its order. */
  breakdowns: readonly Breakdown[],
): SurveyReport {
  const answers = items.get('ALL') ?? emptyCounts();
  const rows: WaveRow[] = waves.map((wave) => {
    const waveAnswers = items.get(`W#${wave.id}`) ?? emptyCounts();
    const delivered = deliveredOf(wave);
    return {
      wave: publicWave(wave),
      rolling: isRollingWave(wave),
      counts: { ...wave.counts, responded: waveAnswers.responses },
      delivered,
      responseRate: rate(waveAnswers.responses, delivered),
      answers: waveAnswers,
      headline: headlineOf(survey, waveAnswers),
    };
  });
  const days = new Map<string, Counts>();
  for (const [key, counts] of items) if (key.startsWith('D#')) days.set(key.slice(2), counts);
  const segments = survey.reportBy.map((property, i) => {
    const { values = [], other } = breakdowns[i] ?? {};
    const rows: SegmentRow[] = values
      .filter(({ counts }) => counts.responses > 0)
      .map(({ value, counts }) => ({ value, answers: counts, headline: headlineOf(survey, counts) }));
    rows.sort((a, b) => b.answers.responses - a.answers.responses || a.value.localeCompare(b.value));
    if (other) rows.push({ value: '', other: true, answers: other, headline: headlineOf(survey, other) });
    return { property, rows };
  });
  const delivered = rows.reduce((n, row) => n + row.delivered, 0);
  return {
    survey,
    answers,
    headline: headlineOf(survey, answers),
    delivered,
    responseRate: rate(answers.responses, delivered),
    waves: rows,
    days,
    segments,
  };
}

export interface TrendPoint {
  key: string;
  /** A wave: its start; a period: its first day (yyyy-mm-dd). */
  at: string;
  waveId?: string;
  answers: Counts;
  headline: Headline;
  /** From the previous point that has answers; null for the first, or when it cannot be tested. */
  change: Change | null;
}

function withChanges(survey: Survey, points: Omit<TrendPoint, 'change'>[]): TrendPoint[] {
  let previous: Counts | undefined;
  return points.map((point) => {
    const change =
      previous && point.answers.responses > 0 ? compareScores(survey.kind, previous, point.answers) : null;
    if (point.answers.responses > 0) previous = point.answers;
    return { ...point, change };
  });
}

export type TrendUnit = 'wave' | PeriodUnit;
/** How many points a trend shows at most: the newest. */
export const trendLimits: Record<TrendUnit, number> = { wave: 24, week: 26, month: 24 };

/** The trend across the survey's own waves (rolling ones have no moment of their own). */
export function trendByWave(report: SurveyReport): TrendPoint[] {
  const points = report.waves
    .filter((row) => !row.rolling)
    .map((row) => ({
      key: row.wave.id,
      at: row.wave.startedAt,
      waveId: row.wave.id,
      answers: row.answers,
      headline: row.headline,
    }));
  return withChanges(report.survey, points).slice(-trendLimits.wave);
}

/** The trend by week or month, from the per-day aggregates. */
export function trendByPeriod(
  report: SurveyReport,
  unit: PeriodUnit,
  today = nowIso().slice(0, 10),
): TrendPoint[] {
  // Changes are judged over every period, then only the newest are kept.
  const periods = groupDays(report.days, unit, today, Number.POSITIVE_INFINITY);
  const points = periods.map((period) => ({
    key: period.key,
    at: period.start,
    answers: period.counts,
    headline: headlineOf(report.survey, period.counts),
  }));
  return withChanges(report.survey, points).slice(-trendLimits[unit]);
}

/** The trend a survey's page opens on: by wave when it has waves of its own, else by week. */
export const defaultTrendUnit = (report: SurveyReport): TrendUnit =>
  report.waves.filter((row) => !row.rolling).length >= 2 ? 'wave' : 'week';
