/**
 * Which surveys get a digest at a firing, and which period it covers. The digest function fires
 * daily at 07:00 UTC: a daily digest covers the UTC day before, a weekly one (sent on Mondays) the
 * ISO week before, in UTC like the per-day aggregates (`D#yyyy-mm-dd`) it adds up. Each period has a
 * key (`2026-12-01`, `2026-W48`) that names the digest's sent marker, so that every firing of the
 * same day finds the same digest.
 */
import { isoWeekOf } from '../report/periods.ts';
import type { Survey } from '../survey/schema.ts';

export type DigestCadence = 'daily' | 'weekly';

export interface DayRange {
  /** `2026-12-01` (a day) or `2026-W48` (an ISO week). */
  key: string;
  /** First day, yyyy-mm-dd. */
  start: string;
  /** Last day, yyyy-mm-dd (the same as `start` for a day). */
  last: string;
  /** The UTC days it holds, oldest first. */
  days: string[];
  /** ISO instants: from `startAt` (inclusive) to `endAt` (exclusive). */
  startAt: string;
  endAt: string;
}

export interface DigestPeriod extends DayRange {
  cadence: DigestCadence;
  /** The period before, for the change. */
  previous: DayRange;
}

const dayMs = 86_400_000;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const startOfUtcDay = (at: Date): number => Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());

function range(cadence: DigestCadence, startMs: number): DayRange {
  const length = cadence === 'daily' ? 1 : 7;
  const days = Array.from({ length }, (_, i) => dayOf(startMs + i * dayMs));
  const start = days[0] as string;
  return {
    key: cadence === 'daily' ? start : isoWeekOf(start).key,
    start,
    last: days.at(-1) as string,
    days,
    startAt: new Date(startMs).toISOString(),
    endAt: new Date(startMs + length * dayMs).toISOString(),
  };
}

/** How often a survey's owners get its digest; undefined when nobody does (no owners, or 'off'). */
export function digestCadence(survey: Pick<Survey, 'owners' | 'digest'>): DigestCadence | undefined {
  if (!survey.owners?.length || survey.digest === 'off') return undefined;
  return survey.digest ?? 'weekly';
}

/** Daily digests go out at every firing; weekly ones on Mondays (the UTC day of the firing). */
export const isDigestDay = (cadence: DigestCadence, at: Date): boolean =>
  cadence === 'daily' || at.getUTCDay() === 1;

/**
 * The complete period before the firing: the UTC day before `at` (daily), or the ISO week before
 * the one holding `at` (weekly), with the period before that.
 */
export function digestPeriod(cadence: DigestCadence, at: Date): DigestPeriod {
  const today = startOfUtcDay(at);
  if (cadence === 'daily') {
    return { cadence, ...range('daily', today - dayMs), previous: range('daily', today - 2 * dayMs) };
  }
  const monday = Date.parse(`${isoWeekOf(dayOf(today)).start}T00:00:00Z`);
  return { cadence, ...range('weekly', monday - 7 * dayMs), previous: range('weekly', monday - 14 * dayMs) };
}

/**
 * The period a survey's digest covers at this firing, or undefined when none is due: no owners or
 * turned off, not its day, a draft, or unpublished before the period began (a survey unpublished
 * during the period still has that period's answers to tell).
 */
export function dueDigest(
  survey: Pick<Survey, 'owners' | 'digest' | 'state' | 'unpublishedAt' | 'publishedAt'>,
  at: Date,
): DigestPeriod | undefined {
  const cadence = digestCadence(survey);
  if (!cadence || !isDigestDay(cadence, at)) return undefined;
  const period = digestPeriod(cadence, at);
  // Nothing to tell about a period that ended before the survey was first published.
  if (!survey.publishedAt || survey.publishedAt >= period.endAt) return undefined;
  if (survey.state === 'published') return period;
  if (survey.state === 'unpublished' && survey.unpublishedAt && survey.unpublishedAt >= period.startAt)
    return period;
  return undefined;
}

/** The owners' addresses, each once (addresses differ only in case more often than people do). */
export function digestRecipients(survey: Pick<Survey, 'owners'>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const owner of survey.owners ?? []) {
    const address = owner.trim();
    const key = address.toLowerCase();
    if (address && !seen.has(key)) {
      seen.add(key);
      out.push(address);
    }
  }
  return out;
}
