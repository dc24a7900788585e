/**
 * Grouping the per-day aggregates (`D#yyyy-mm-dd`, the UTC day of each answer's first submission)
 * into weeks (ISO, starting Monday) or calendar months, in UTC like the days themselves.
 */
import { addCounts, type Counts, emptyCounts } from '../scoring.ts';

export type PeriodUnit = 'week' | 'month';

export interface Period {
  /** `2026-W09` style for weeks (ISO week-year), `2026-03` for months. */
  key: string;
  /** First day of the period, yyyy-mm-dd (a Monday for weeks). */
  start: string;
  counts: Counts;
}

const dayMs = 86_400_000;

/** The Monday (UTC) of the ISO week holding a day, and that week's ISO key. */
export function isoWeekOf(day: string): { key: string; start: string } {
  const t = Date.parse(`${day}T00:00:00Z`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = t - weekday * dayMs;
  // The ISO week-year is the year of the week's Thursday.
  const thursday = new Date(monday + 3 * dayMs);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * dayMs)) + 1;
  return {
    key: `${year}-W${String(week).padStart(2, '0')}`,
    start: new Date(monday).toISOString().slice(0, 10),
  };
}

const periodOf = (day: string, unit: PeriodUnit): { key: string; start: string } =>
  unit === 'week' ? isoWeekOf(day) : { key: day.slice(0, 7), start: `${day.slice(0, 7)}-01` };

/** The next period's first day after `start`. */
function nextStart(start: string, unit: PeriodUnit): string {
  const t = Date.parse(`${start}T00:00:00Z`);
  if (unit === 'week') return new Date(t + 7 * dayMs).toISOString().slice(0, 10);
  const d = new Date(t);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

/**
 * The periods from the first with answers to the one holding `today`, oldest first, empty periods
 * included (a gap in a trend is information too), at most the last `limit` of them.
 */
export function groupDays(
  days: ReadonlyMap<string, Counts>,
  unit: PeriodUnit,
  today: string,
  limit: number,
): Period[] {
  const byKey = new Map<string, Period>();
  for (const [day, counts] of days) {
    const { key, start } = periodOf(day, unit);
    const period = byKey.get(key) ?? { key, start, counts: emptyCounts() };
    period.counts = addCounts(period.counts, counts);
    byKey.set(key, period);
  }
  if (byKey.size === 0) return [];
  const starts = [...byKey.values()].map((p) => p.start).sort();
  const todayStart = periodOf(today, unit).start;
  const lastStart = (starts.at(-1) as string) > todayStart ? (starts.at(-1) as string) : todayStart;
  const periods: Period[] = [];
  for (let start = starts[0] as string; start <= lastStart; start = nextStart(start, unit)) {
    const { key } = periodOf(start, unit);
    periods.push(byKey.get(key) ?? { key, start, counts: emptyCounts() });
  }
  return periods.slice(-limit);
}
