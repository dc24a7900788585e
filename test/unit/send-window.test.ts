/**
 * Send windows (shared/schedule/send-window.ts): when may an email to a contact in a given zone go
 * out? Expected instants are written out in UTC by hand, so a wrong offset (a DST change missed, a
 * 23- or 25-hour day stepped over) shows up as an hour off.
 */
import { describe, expect, it } from 'vitest';
import { isInsideWindow, nextWindowOpening } from '../../shared/schedule/send-window.ts';
import type { SendWindow } from '../../shared/survey/schema.ts';

const office: SendWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
const at = (iso: string): number => Date.parse(iso);
const opening = (window: SendWindow, zone: string, from: string): string =>
  new Date(nextWindowOpening(window, zone, at(from))).toISOString();

describe('nextWindowOpening, Monday–Friday 09:00–17:00', () => {
  it('answers the moment itself inside the window', () => {
    // Wednesday 25 November 2026, 10:00 in Stockholm (CET, UTC+1).
    expect(opening(office, 'Europe/Stockholm', '2026-11-25T09:00:00.000Z')).toBe('2026-11-25T09:00:00.000Z');
    expect(opening(office, 'Europe/Stockholm', '2026-11-25T15:59:59.000Z')).toBe('2026-11-25T15:59:59.000Z');
    expect(isInsideWindow(office, 'Europe/Stockholm', at('2026-11-25T09:00:00.000Z'))).toBe(true);
  });

  it('answers the same day’s opening before it, and the opening itself at 09:00 sharp', () => {
    // 07:00 in Stockholm → 09:00 CET = 08:00Z.
    expect(opening(office, 'Europe/Stockholm', '2026-11-25T06:00:00.000Z')).toBe('2026-11-25T08:00:00.000Z');
    expect(opening(office, 'Europe/Stockholm', '2026-11-25T08:00:00.000Z')).toBe('2026-11-25T08:00:00.000Z');
    expect(isInsideWindow(office, 'Europe/Stockholm', at('2026-11-25T07:59:00.000Z'))).toBe(false);
  });

  it('answers the next day’s opening after the close (17:00 is already closed)', () => {
    // 17:00 CET on Wednesday → Thursday 09:00 CET.
    expect(opening(office, 'Europe/Stockholm', '2026-11-25T16:00:00.000Z')).toBe('2026-11-26T08:00:00.000Z');
    expect(opening(office, 'Europe/Stockholm', '2026-11-25T22:30:00.000Z')).toBe('2026-11-26T08:00:00.000Z');
  });

  it('skips the weekend: Friday evening and Saturday wait for Monday', () => {
    expect(opening(office, 'Europe/Stockholm', '2026-11-27T17:00:00.000Z')).toBe('2026-11-30T08:00:00.000Z');
    expect(opening(office, 'Europe/Stockholm', '2026-11-28T12:00:00.000Z')).toBe('2026-11-30T08:00:00.000Z');
    // Sunday 23:59 in New York (EST) is already Monday 04:59Z: still the New York Monday 09:00.
    expect(opening(office, 'America/New_York', '2026-11-30T04:59:00.000Z')).toBe('2026-11-30T14:00:00.000Z');
  });

  it('reads the day in the contact’s zone, not in UTC', () => {
    // Monday 30 November 2026 02:00Z is Monday 10:00 in Shanghai (UTC+8, no DST): inside.
    expect(isInsideWindow(office, 'Asia/Shanghai', at('2026-11-30T02:00:00.000Z'))).toBe(true);
    // Sunday 29 November 20:00Z is Monday 04:00 in Shanghai: opens at Monday 09:00 = 01:00Z.
    expect(opening(office, 'Asia/Shanghai', '2026-11-29T20:00:00.000Z')).toBe('2026-11-30T01:00:00.000Z');
    // Friday 27 November 10:00Z is Friday 18:00 in Shanghai: closed until Monday.
    expect(opening(office, 'Asia/Shanghai', '2026-11-27T10:00:00.000Z')).toBe('2026-11-30T01:00:00.000Z');
  });
});

describe('nextWindowOpening across daylight-saving changes', () => {
  it('Stockholm, spring forward (Sunday 28 March 2027): Monday opens at 09:00 CEST = 07:00Z', () => {
    expect(opening(office, 'Europe/Stockholm', '2027-03-26T17:00:00.000Z')).toBe('2027-03-29T07:00:00.000Z');
    // The Friday before still opens at 09:00 CET = 08:00Z.
    expect(opening(office, 'Europe/Stockholm', '2027-03-26T05:00:00.000Z')).toBe('2027-03-26T08:00:00.000Z');
  });

  it('Stockholm, fall back (Sunday 31 October 2027): Monday opens at 09:00 CET = 08:00Z', () => {
    expect(opening(office, 'Europe/Stockholm', '2027-10-29T16:00:00.000Z')).toBe('2027-11-01T08:00:00.000Z');
    // 16:30 CEST on the Friday before is still inside (14:30Z).
    expect(isInsideWindow(office, 'Europe/Stockholm', at('2027-10-29T14:30:00.000Z'))).toBe(true);
  });

  it('New York, spring forward (Sunday 14 March 2027): Monday opens at 09:00 EDT = 13:00Z', () => {
    expect(opening(office, 'America/New_York', '2027-03-12T23:00:00.000Z')).toBe('2027-03-15T13:00:00.000Z');
    expect(opening(office, 'America/New_York', '2027-03-12T12:00:00.000Z')).toBe('2027-03-12T14:00:00.000Z');
  });

  it('New York, fall back (Sunday 7 November 2027): Monday opens at 09:00 EST = 14:00Z', () => {
    expect(opening(office, 'America/New_York', '2027-11-05T22:00:00.000Z')).toBe('2027-11-08T14:00:00.000Z');
    // Monday 8 November 13:30Z is 08:30 EST: not yet open (it would be 09:30 EDT).
    expect(isInsideWindow(office, 'America/New_York', at('2027-11-08T13:30:00.000Z'))).toBe(false);
  });

  it('does not step over the 23-hour day itself when the window is open on it', () => {
    const sundays: SendWindow = { days: ['sun'], from: '09:00', to: '17:00' };
    // Saturday 27 March 2027 23:30 CET: the next opening is the very next morning, 09:00 CEST = 07:00Z.
    expect(opening(sundays, 'Europe/Stockholm', '2027-03-27T22:30:00.000Z')).toBe('2027-03-28T07:00:00.000Z');
    // Saturday 13 March 2027 23:30 EST in New York → Sunday 09:00 EDT = 13:00Z.
    expect(opening(sundays, 'America/New_York', '2027-03-14T04:30:00.000Z')).toBe('2027-03-14T13:00:00.000Z');
  });

  it('moves an opening that DST skips (02:30 on the spring-forward night) to the first valid minute after', () => {
    const night: SendWindow = { days: ['sun'], from: '02:30', to: '05:00' };
    // 02:30 does not exist in Stockholm on 28 March 2027: 03:30 CEST = 01:30Z.
    expect(opening(night, 'Europe/Stockholm', '2027-03-27T12:00:00.000Z')).toBe('2027-03-28T01:30:00.000Z');
  });
});

describe('nextWindowOpening, a window past midnight (Friday 22:00 – Saturday 02:00)', () => {
  const late: SendWindow = { days: ['fri'], from: '22:00', to: '02:00' };

  it('is open after midnight on the Saturday, until 02:00', () => {
    // Saturday 28 November 2026 01:00 in Stockholm = 00:00Z.
    expect(isInsideWindow(late, 'Europe/Stockholm', at('2026-11-28T00:00:00.000Z'))).toBe(true);
    expect(isInsideWindow(late, 'Europe/Stockholm', at('2026-11-28T01:00:00.000Z'))).toBe(false);
  });

  it('waits for Friday 22:00 before it and for the next Friday after it', () => {
    expect(opening(late, 'Europe/Stockholm', '2026-11-27T20:00:00.000Z')).toBe('2026-11-27T21:00:00.000Z');
    expect(opening(late, 'Europe/Stockholm', '2026-11-28T02:00:00.000Z')).toBe('2026-12-04T21:00:00.000Z');
  });

  it('closes at its local closing time on the far side of a DST change', () => {
    const saturdayNight: SendWindow = { days: ['sat'], from: '22:00', to: '06:00' };
    // Saturday 30 October 2027 22:00 CEST (20:00Z) until Sunday 31 October 06:00 CET (05:00Z).
    expect(isInsideWindow(saturdayNight, 'Europe/Stockholm', at('2027-10-31T04:30:00.000Z'))).toBe(true);
    expect(isInsideWindow(saturdayNight, 'Europe/Stockholm', at('2027-10-31T05:00:00.000Z'))).toBe(false);
  });
});
