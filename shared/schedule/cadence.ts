/**
 * A recurring survey is one EventBridge Scheduler schedule that starts a wave each time it fires.
 * `every N days|weeks` becomes `rate()`, `every N months` a cron on the day of the first publish, a
 * cron stays a cron; all in the survey's (or the cadence's) time zone. The schedule's input carries
 * the firing's scheduled time, which Scheduler fills in, so that a firing delivered twice starts
 * one wave (shared/wave/start.ts).
 */
import { ConflictException, CreateScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { schedulerClient } from '../aws/clients.ts';
import { requireEnv } from '../config.ts';
import { badRequest } from '../errors.ts';
import type { Cadence, Survey } from '../survey/schema.ts';
import { nextOccurrence, parseScheduleExpression, type ScheduleExpression } from './expression.ts';
import { deleteSchedule, scheduleName } from './scheduler.ts';

export interface ScheduleSpec {
  expression: string;
  timezone: string;
}

/** The day and hour (in the zone) a month-based cadence fires: the publish day, 09:00, days 29–31 as 28. */
function localParts(at: Date, timeZone: string): { day: number; month: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    day: 'numeric',
    month: 'numeric',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { day: get('day'), month: get('month') };
}

/** Accepts AWS's 6-field cron (optionally wrapped in `cron(...)`) or a 5-field Unix cron. */
export function awsCron(input: string): string {
  const inner = input
    .trim()
    .replace(/^cron\((.*)\)$/s, '$1')
    .trim();
  const fields = inner.split(/\s+/);
  if (fields.length === 6) return `cron(${fields.join(' ')})`;
  if (fields.length === 5) {
    const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
    // AWS's day-of-week takes no steps, and renumbering the digits would turn a step of 2 into 3.
    if (dow.includes('/'))
      throw badRequest('cadence.cron: list the days of the week (e.g. 1,3,5) instead of a step');
    // AWS wants exactly one of day-of-month and day-of-week to be '?'.
    const awsDow = dow === '*' ? '?' : dow.replace(/\d/g, (d) => String(((Number(d) % 7) + 1) as number));
    const awsDom = awsDow === '?' ? dom : dom === '*' ? '?' : dom;
    if (awsDom !== '?' && awsDow !== '?')
      throw badRequest('cadence.cron: give either a day of month or a day of week, not both');
    return `cron(${min} ${hour} ${awsDom} ${month} ${awsDow} *)`;
  }
  throw badRequest(
    'cadence.cron must have 6 fields (AWS: min hour day-of-month month day-of-week year) or 5 (Unix)',
  );
}

export function cadenceSpec(
  cadence: Cadence,
  survey: Pick<Survey, 'timezone'>,
  publishedAt: Date,
): ScheduleSpec {
  const timezone = cadence.timezone ?? survey.timezone;
  if ('cron' in cadence) return { expression: awsCron(cadence.cron), timezone };
  const match = /^(\d+) (day|week|month)s?$/.exec(cadence.every);
  if (!match) throw badRequest('cadence.every must look like "3 months"');
  const n = Number(match[1]);
  if (match[2] === 'day') return { expression: `rate(${n} ${n === 1 ? 'day' : 'days'})`, timezone };
  if (match[2] === 'week') return { expression: `rate(${7 * n} days)`, timezone };
  if (n > 12 || 12 % n !== 0)
    throw badRequest('cadence.every in months must divide a year: 1, 2, 3, 4, 6 or 12 months');
  const { day, month } = localParts(publishedAt, timezone);
  // `month/n` means "month, month+n, … up to December" (Quartz, AWS and croner alike): published in
  // November, `11/3` would fire once a year. Start from the first month of the year in the same cycle.
  const first = ((month - 1) % n) + 1;
  return { expression: `cron(0 9 ${Math.min(day, 28)} ${n === 1 ? '*' : `${first}/${n}`} ? *)`, timezone };
}

export const cadenceScheduleName = (surveyId: string): string => scheduleName('cadence', surveyId);

/** Scheduler's context attribute for the time a firing was scheduled for, filled into the input. */
export const scheduledTimeAttribute = '<aws.scheduler.scheduled-time>';

/**
 * What a month-based cadence's day and months count from: the first publish. A republish (or an
 * edit of the cadence) must not move the day the waves come on. Surveys published before the
 * anchor was kept fall back to their publish time.
 */
export const cadenceAnchor = (survey: Pick<Survey, 'cadenceAnchorAt' | 'publishedAt' | 'updatedAt'>): Date =>
  new Date(survey.cadenceAnchorAt ?? survey.publishedAt ?? survey.updatedAt);

/** When the schedule was last made: a rate counts from then (AWS reads rate() from its creation). */
const scheduleMadeAt = (survey: Survey): number => Date.parse(survey.publishedAt ?? survey.updatedAt);

/** Makes the survey's schedule match its state: present while published with a cadence, else gone. */
export async function syncCadenceSchedule(survey: Survey): Promise<void> {
  const name = cadenceScheduleName(survey.id);
  if (survey.state !== 'published' || !survey.cadence) {
    await deleteSchedule(name);
    return;
  }
  const spec = cadenceSpec(survey.cadence, survey, cadenceAnchor(survey));
  const input = {
    Name: name,
    GroupName: requireEnv('SCHEDULE_GROUP'),
    ScheduleExpression: spec.expression,
    ScheduleExpressionTimezone: spec.timezone,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    State: 'ENABLED' as const,
    Target: {
      Arn: requireEnv('SEND_FUNCTION_ARN'),
      RoleArn: requireEnv('SCHEDULER_ROLE_ARN'),
      Input: JSON.stringify({ type: 'wave.start', surveyId: survey.id, scheduledAt: scheduledTimeAttribute }),
      RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
    },
  };
  try {
    await schedulerClient().send(new CreateScheduleCommand(input));
  } catch (err) {
    if (!(err instanceof ConflictException) && (err as { name?: string }).name !== 'ConflictException')
      throw err;
    await schedulerClient().send(new UpdateScheduleCommand(input));
  }
}

/** The survey's cadence as Scheduler reads it, or undefined when there is none (or it is refused). */
function cadenceExpression(survey: Survey): ScheduleExpression | undefined {
  if (!survey.cadence) return undefined;
  try {
    const spec = cadenceSpec(survey.cadence, survey, cadenceAnchor(survey));
    return parseScheduleExpression(spec.expression, spec.timezone);
  } catch {
    // A stored cadence the expression reader refuses shows as "not scheduled", never as an error page.
    return undefined;
  }
}

/**
 * When the survey's cadence next starts a wave, computed from its schedule expression as Scheduler
 * reads it (a rate counts from the publish, when the schedule was made); undefined when none will.
 */
export function nextCadenceFiring(survey: Survey, now: Date): Date | undefined {
  if (survey.state !== 'published') return undefined;
  const expression = cadenceExpression(survey);
  if (!expression) return undefined;
  const next = nextOccurrence(expression, { afterMs: now.getTime(), anchorMs: scheduleMadeAt(survey) });
  return next === undefined ? undefined : new Date(next);
}

/**
 * The cadence's latest firing at or before `now`, looked for up to a year back; undefined when there
 * is none. Stands in for the scheduled time when a firing's input does not carry it (a schedule
 * made before it did): every delivery of one firing finds the same one until the next firing.
 */
export function latestCadenceFiring(survey: Survey, now: Date): Date | undefined {
  const expression = cadenceExpression(survey);
  if (!expression) return undefined;
  const anchorMs = scheduleMadeAt(survey);
  // Short looks first: a frequent cron is walked over a day, not over a year of its firings.
  for (const lookBackMs of [86_400_000, 32 * 86_400_000, 367 * 86_400_000]) {
    let latest: number | undefined;
    let after = now.getTime() - lookBackMs;
    for (let i = 0; i < 5_000; i++) {
      const next = nextOccurrence(expression, { afterMs: after, anchorMs });
      if (next === undefined || next > now.getTime()) break;
      latest = next;
      after = next;
    }
    if (latest !== undefined) return new Date(latest);
  }
  return undefined;
}

/**
 * The cadence's firings from `fromMs` on, at most `limit` of them, without the survey's state or
 * the schedule's creation: what the skip window is measured against (shared/survey/lifecycle.ts).
 */
export function cadenceFirings(
  survey: Pick<Survey, 'cadence' | 'timezone' | 'cadenceAnchorAt' | 'publishedAt' | 'updatedAt'>,
  fromMs: number,
  untilMs: number,
  limit: number,
): number[] {
  if (!survey.cadence) return [];
  const spec = cadenceSpec(survey.cadence, survey, cadenceAnchor(survey));
  const expression = parseScheduleExpression(spec.expression, spec.timezone);
  const firings: number[] = [];
  let after = fromMs - 1;
  while (firings.length < limit) {
    const next = nextOccurrence(expression, { afterMs: after, anchorMs: fromMs });
    if (next === undefined || next > untilMs) break;
    firings.push(next);
    after = next;
  }
  return firings;
}
