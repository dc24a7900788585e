/**
 * The local Scheduler stand-in's expressions (shared/schedule/expression.ts) read as EventBridge
 * Scheduler reads them: at() in the schedule's zone, rate() from its anchor, AWS cron (1 = Sunday,
 * `?`, `L`, `#`, steps) in its zone across DST changes, and the same refusals.
 */
import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  nextOccurrence,
  parseScheduleExpression,
} from '../../shared/schedule/expression.ts';

/** The first `count` occurrences after `fromIso`. */
function occurrences(
  expression: string,
  timezone: string,
  fromIso: string,
  count: number,
  anchorIso = fromIso,
) {
  const parsed = parseScheduleExpression(expression, timezone);
  const out: string[] = [];
  let after = Date.parse(fromIso);
  for (let i = 0; i < count; i++) {
    const next = nextOccurrence(parsed, { afterMs: after, anchorMs: Date.parse(anchorIso) });
    if (next === undefined) break;
    out.push(new Date(next).toISOString());
    after = next;
  }
  return out;
}

describe('the local stand-in’s schedule expressions', () => {
  it('at() fires once, at the wall-clock time of its zone', () => {
    expect(occurrences('at(2026-12-06T12:00:01)', 'UTC', '2026-11-22T00:00:00Z', 3)).toEqual([
      '2026-12-06T12:00:01.000Z',
    ]);
    expect(occurrences('at(2027-03-29T09:00:00)', 'Europe/Stockholm', '2026-11-22T00:00:00Z', 1)).toEqual([
      '2027-03-29T07:00:00.000Z',
    ]);
  });

  it('rate() counts from the anchor (creation or StartDate)', () => {
    expect(
      occurrences('rate(7 days)', 'UTC', '2026-11-30T06:00:00.500Z', 3, '2026-11-30T06:00:00.500Z'),
    ).toEqual(['2026-12-07T06:00:00.500Z', '2026-12-14T06:00:00.500Z', '2026-12-21T06:00:00.500Z']);
  });

  it('a month step starts at its month: 2/3 is every quarter, 11/3 only November', () => {
    expect(occurrences('cron(0 9 22 2/3 ? *)', 'UTC', '2026-11-22T10:00:00Z', 4)).toEqual([
      '2027-02-22T09:00:00.000Z',
      '2027-05-22T09:00:00.000Z',
      '2027-08-22T09:00:00.000Z',
      '2027-11-22T09:00:00.000Z',
    ]);
    expect(occurrences('cron(0 9 22 11/3 ? *)', 'UTC', '2026-11-22T10:00:00Z', 2)).toEqual([
      '2027-11-22T09:00:00.000Z',
      '2028-11-22T09:00:00.000Z',
    ]);
  });

  it('Mondays at 09:00 in Stockholm stay at 09:00 local across the spring DST change (1 = Sunday, 2 = Monday)', () => {
    expect(occurrences('cron(0 9 ? * 2 *)', 'Europe/Stockholm', '2027-03-20T00:00:00Z', 2)).toEqual([
      '2027-03-22T08:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
    ]);
    expect(occurrences('cron(0 9 ? * MON-FRI *)', 'America/New_York', '2027-11-05T00:00:00Z', 2)).toEqual([
      '2027-11-05T13:00:00.000Z',
      '2027-11-08T14:00:00.000Z',
    ]);
  });

  it('reads L (last day of the month) and # (the nth weekday)', () => {
    expect(occurrences('cron(0 9 L * ? *)', 'UTC', '2027-02-01T00:00:00Z', 2)).toEqual([
      '2027-02-28T09:00:00.000Z',
      '2027-03-31T09:00:00.000Z',
    ]);
    // The first Monday of the month.
    expect(occurrences('cron(0 9 ? * 2#1 *)', 'UTC', '2026-11-22T00:00:00Z', 2)).toEqual([
      '2026-12-07T09:00:00.000Z',
      '2027-01-04T09:00:00.000Z',
    ]);
  });

  it('refuses what AWS refuses', () => {
    for (const bad of [
      'cron(0 9 1 * MON *)', // both day fields
      'cron(0 9 ? * */2 *)', // a step in day-of-week
      'cron(0 9 * *)',
      'rate(0 days)',
      'rate(1 fortnight)',
      'at(2027-02-30T25:00:00)',
    ]) {
      expect(() => parseScheduleExpression(bad, 'UTC'), bad).toThrow(ExpressionError);
    }
    expect(() => parseScheduleExpression('rate(1 day)', 'Mars/Olympus')).toThrow(/time zone/);
  });
});
