/**
 * EventBridge Scheduler's schedule expressions: `at(yyyy-mm-ddThh:mm:ss)`, `rate(N minutes|hours|days)`
 * and `cron(minutes hours day-of-month month day-of-week year)`, each read in the schedule's time
 * zone. AWS cron is Quartz-flavoured (1 = Sunday, `?`, `L`, `#`, `W`); croner reads it once the
 * seconds field is added and the few spellings that differ are translated.
 */
import { Cron } from 'croner';

export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

export type ScheduleExpression =
  | { kind: 'at'; atMs: number }
  | { kind: 'rate'; periodMs: number }
  | { kind: 'cron'; cron: Cron };

const unitMs: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

export function parseScheduleExpression(expression: string, timezone = 'UTC'): ScheduleExpression {
  assertTimezone(timezone);
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression.trim());
  if (at) {
    const [y, mo, d, h, mi, s] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
      throw new ExpressionError(`invalid date in ${expression}`);
    }
    return { kind: 'at', atMs: zonedTimeToUtc(y, mo, d, h, mi, s, timezone) };
  }
  const rate = /^rate\((\d+)\s+([a-z]+)\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = unitMs[rate[2] ?? ''];
    if (!unit || value < 1) throw new ExpressionError(`invalid rate expression ${expression}`);
    return { kind: 'rate', periodMs: value * unit };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) return { kind: 'cron', cron: croner(cron[1] ?? '', timezone, expression) };
  throw new ExpressionError(
    `invalid schedule expression ${expression}; expected at(...), rate(...) or cron(...)`,
  );
}

function croner(fields: string, timezone: string, expression: string): Cron {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6)
    throw new ExpressionError(`${expression} needs 6 fields: minutes hours dom month dow year`);
  const [minutes, hours, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if (dom !== '?' && dow !== '?') {
    throw new ExpressionError(`${expression}: one of day-of-month and day-of-week must be ?`);
  }
  // AWS's day-of-week takes , - * ? L # but no step; croner would take one, so refuse it as AWS does.
  if (dow.includes('/')) throw new ExpressionError(`${expression}: day-of-week takes no / step`);
  const wildcard = (field: string) => (field === '?' ? '*' : field);
  // Quartz writes "the last Friday" as 6L; croner as 6#L.
  const weekday = wildcard(dow).replace(/^([0-9A-Za-z]+)L$/, '$1#L');
  const pattern = ['0', minutes, hours, wildcard(dom), month, weekday, year].join(' ');
  try {
    return new Cron(pattern, {
      timezone,
      mode: '7-part',
      alternativeWeekdays: true,
      // AWS writes steps as 0/15 (Quartz); croner calls that a sloppy range.
      sloppyRanges: true,
      // One of the two day fields is always `?`, so AND matches exactly what AWS means.
      domAndDow: true,
    });
  } catch (err) {
    throw new ExpressionError(`invalid cron expression ${expression}: ${(err as Error).message}`);
  }
}

export interface OccurrenceWindow {
  /** Exclusive: the next occurrence strictly after this instant. */
  afterMs: number;
  /** When a rate schedule counts from: its StartDate, or else its creation. */
  anchorMs: number;
  startMs?: number;
  endMs?: number;
}

/** The first time the expression fires after `afterMs` within [StartDate, EndDate], if any. */
export function nextOccurrence(expression: ScheduleExpression, window: OccurrenceWindow): number | undefined {
  let next: number | undefined;
  if (expression.kind === 'at') {
    // Scheduler ignores StartDate and EndDate for one-time schedules.
    return expression.atMs > window.afterMs ? expression.atMs : undefined;
  }
  const after = Math.max(window.afterMs, (window.startMs ?? Number.NEGATIVE_INFINITY) - 1);
  if (expression.kind === 'rate') {
    const steps = Math.floor((after - window.anchorMs) / expression.periodMs) + 1;
    next = window.anchorMs + Math.max(1, steps) * expression.periodMs;
  } else {
    next = expression.cron.nextRun(new Date(after))?.getTime();
  }
  if (next === undefined || (window.endMs !== undefined && next > window.endMs)) return undefined;
  return next;
}

export function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ExpressionError(`invalid time zone ${timezone}`);
  }
}

/** The UTC instant at which the wall clock in `timezone` shows the given time. */
export function zonedTimeToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  timezone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  // Two passes settle the offset, also next to a daylight-saving change.
  let guess = wall - offsetMs(wall, timezone);
  guess = wall - offsetMs(guess, timezone);
  return guess;
}

function offsetMs(instant: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}
