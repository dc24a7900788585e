/**
 * Send windows: e.g. Monday–Friday 09:00–17:00 in the recipient's own time zone. Given a moment,
 * when may an email go out? At once when inside the window, else at the window's next opening.
 * Local times become instants through the zone's real offset, so DST changes are honoured.
 */
import type { SendWindow, Survey } from '../survey/schema.ts';

const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface LocalDate {
  year: number;
  month: number;
  day: number;
  weekday: (typeof dayNames)[number];
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(ms: number, timeZone: string) {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: get('weekday').toLowerCase().slice(0, 3) as LocalDate['weekday'],
  };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant of a local wall-clock time in a zone (a time skipped by DST moves forward). */
export function instantOf(date: Omit<LocalDate, 'weekday'>, hhmm: string, timeZone: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.UTC(date.year, date.month - 1, date.day, h, m);
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return guess;
}

/** The calendar date `days` after a local date (noon-free arithmetic on the date alone). */
function addDays(date: Omit<LocalDate, 'weekday'>, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: dayNames[d.getUTCDay()] as LocalDate['weekday'],
  };
}

/** The earliest instant ≥ `fromMs` at which the window is open, in that zone. */
export function nextWindowOpening(window: SendWindow, timeZone: string, fromMs: number): number {
  const today = localParts(fromMs, timeZone);
  // Step over calendar dates, not 24-hour spans: a 24-hour step from late evening jumps over a
  // 23-hour (spring-forward) day, and that day's window with it.
  for (let offsetDays = -1; offsetDays <= 8; offsetDays++) {
    const date = addDays(today, offsetDays);
    if (!window.days.includes(date.weekday)) continue;
    const start = instantOf(date, window.from, timeZone);
    // A window past midnight (e.g. 22:00–02:00) closes on the next date, at that date's own offset.
    const end = instantOf(window.to > window.from ? date : addDays(date, 1), window.to, timeZone);
    if (fromMs < start) return start;
    if (fromMs < end) return fromMs;
  }
  throw new Error('the send window never opens');
}

/** Whether the window is open at an instant. */
export const isInsideWindow = (window: SendWindow, timeZone: string, ms: number): boolean =>
  nextWindowOpening(window, timeZone, ms) === ms;

/**
 * For a survey with a send window: the next opening in the contact's zone (ISO) while the window is
 * closed at `nowMs`; undefined while it is open, or without a window. Judged at selection and again
 * just before an email goes out.
 */
export function closedUntil(
  survey: Pick<Survey, 'sendWindow' | 'timezone'>,
  contact: { timezone?: string | undefined },
  nowMs: number,
): string | undefined {
  if (!survey.sendWindow) return undefined;
  const opening = nextWindowOpening(survey.sendWindow, contact.timezone ?? survey.timezone, nowMs);
  return opening > nowMs ? new Date(opening).toISOString() : undefined;
}
