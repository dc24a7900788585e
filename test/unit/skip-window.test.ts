/**
 * The skip window ("skip contacts this survey emailed within N days") read against a cadence
 * (shared/survey/lifecycle.ts `skipIfSurveyedDays`): whoever wave N emailed is emailed by wave N+k
 * every time, never in some quarters and not in others because a quarter was 89 days, a DST change
 * took an hour, or wave N's email left two days after its start. The firings here are written out
 * as UTC instants (Stockholm is UTC+1 in winter, UTC+2 in summer), not computed by the code under test.
 */
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../shared/contact/schema.ts';
import { chooseContact } from '../../shared/send/selection.ts';
import { newSurvey, skipIfSurveyedDays } from '../../shared/survey/lifecycle.ts';
import type { Survey } from '../../shared/survey/schema.ts';
import { type Wave, zeroCounts } from '../../shared/wave/schema.ts';

const minuteMs = 60_000;
const dayMs = 86_400_000;

function cadenceSurvey(cadence: Survey['cadence'], over: Partial<Survey> = {}): Survey {
  return {
    ...newSurvey({ kind: 'nps', name: 'Quarterly', companyName: 'Acme' }, '2025-12-01T10:00:00.000Z'),
    cadence,
    state: 'published',
    ...over,
  };
}

const waveAt = (s: Survey, startedAt: number): Wave => ({
  id: 'w_aaaaaaaaaaaaaaaa',
  surveyId: s.id,
  status: 'sending',
  phase: 'selecting',
  trigger: 'schedule',
  startedAt: new Date(startedAt).toISOString(),
  closesAt: new Date(startedAt + 14 * dayMs).toISOString(),
  counts: zeroCounts(),
  secret: 'secret',
});

const emailedAt = (s: Survey, at: number): Contact => ({
  id: 'c_aaaaaaaaaaaaaaaaaaaa',
  email: 'ann@customer.test',
  properties: {},
  status: 'subscribed',
  feedback: {},
  surveyed: { [s.id]: new Date(at).toISOString() },
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
});

/**
 * Each wave's choice for a contact the wave before emailed `lagMs` after its start, chosen a minute
 * after this wave's start (a wave takes a moment to reach a contact).
 */
function nextWaveChoices(s: Survey, firings: string[], lagMs: number): (true | string)[] {
  const times = firings.map(Date.parse);
  return times.slice(1).map((start, i) => {
    const previous = times[i] ?? 0;
    return chooseContact(emailedAt(s, previous + lagMs), s, waveAt(s, start), start + minuteMs);
  });
}

describe('the skip window against a cadence', () => {
  // `0 9 1 */3 *` in Stockholm: 09:00 local on the first of January, April, July and October.
  const stockholm = [
    '2026-01-01T08:00:00Z',
    '2026-04-01T07:00:00Z', // 90 days less an hour after the one before (CET to CEST)
    '2026-07-01T07:00:00Z',
    '2026-10-01T07:00:00Z',
    '2027-01-01T08:00:00Z',
    '2027-04-01T07:00:00Z',
  ];

  it('a quarterly cron in Stockholm with the default 90 days: wave N+1 emails whoever wave N emailed', () => {
    const s = cadenceSurvey({ cron: '0 9 1 */3 *' }, { timezone: 'Europe/Stockholm' });
    expect(nextWaveChoices(s, stockholm, 5_000)).toEqual([true, true, true, true, true]);
    // Also when wave N's email waited two days for a send window.
    expect(nextWaveChoices(s, stockholm, 2 * dayMs)).toEqual([true, true, true, true, true]);
  });

  it('the same with 90 days set explicitly, and with the cron’s own time zone', () => {
    const s = cadenceSurvey(
      { cron: '0 9 1 */3 *', timezone: 'Europe/Stockholm' },
      { audience: { skipIfSurveyedWithinDays: 90 } },
    );
    expect(nextWaveChoices(s, stockholm, 5_000)).toEqual([true, true, true, true, true]);
  });

  it('every 3 months with an explicit 90, first published on 1 February: February to May is 89 days', () => {
    const s = cadenceSurvey(
      { every: '3 months' },
      {
        audience: { skipIfSurveyedWithinDays: 90 },
        publishedAt: '2026-02-01T10:00:00.000Z',
        cadenceAnchorAt: '2026-02-01T10:00:00.000Z',
      },
    );
    const quarters = [
      '2026-05-01T09:00:00Z',
      '2026-08-01T09:00:00Z',
      '2026-11-01T09:00:00Z',
      '2027-02-01T09:00:00Z',
      '2027-05-01T09:00:00Z', // 89 days after 1 February
    ];
    expect(nextWaveChoices(s, quarters, 5_000)).toEqual([true, true, true, true]);
    expect(nextWaveChoices(s, quarters, 2 * dayMs)).toEqual([true, true, true, true]);
  });

  it('still skips whoever a wave started by hand between two firings emailed', () => {
    const s = cadenceSurvey({ cron: '0 9 1 */3 *' }, { timezone: 'Europe/Stockholm' });
    const start = Date.parse('2026-04-01T07:00:00Z');
    const byHand = chooseContact(emailedAt(s, start - 30 * dayMs), s, waveAt(s, start), start + minuteMs);
    expect(byHand).toBe('surveyed recently');
  });

  it('a window clearly longer than a quarter still skips one wave: 120 days emails every other quarter', () => {
    const s = cadenceSurvey(
      { cron: '0 9 1 */3 *' },
      { timezone: 'Europe/Stockholm', audience: { skipIfSurveyedWithinDays: 120 } },
    );
    expect(skipIfSurveyedDays(s)).toBe(120);
    const t = stockholm.map(Date.parse);
    const ann = emailedAt(s, (t[0] ?? 0) + 5_000);
    expect(chooseContact(ann, s, waveAt(s, t[1] ?? 0), (t[1] ?? 0) + minuteMs)).toBe('surveyed recently');
    expect(chooseContact(ann, s, waveAt(s, t[2] ?? 0), (t[2] ?? 0) + minuteMs)).toBe(true);
  });

  it('a year-long window over a quarterly cadence means every fourth wave, also across a leap year', () => {
    const s = cadenceSurvey(
      { every: '3 months' },
      { audience: { skipIfSurveyedWithinDays: 365 }, cadenceAnchorAt: '2026-02-01T10:00:00.000Z' },
    );
    // 1 February 2027 to 1 February 2028 is 365 days; 2028 to 2029 is 366.
    const yearly = ['2027-02-01T09:00:00Z', '2028-02-01T09:00:00Z', '2029-02-01T09:00:00Z'];
    expect(nextWaveChoices(s, yearly, 5_000)).toEqual([true, true]);
    const t = Date.parse('2027-11-01T09:00:00Z');
    expect(chooseContact(emailedAt(s, Date.parse(yearly[0] ?? '')), s, waveAt(s, t), t)).toBe(
      'surveyed recently',
    );
  });

  it('a daily cadence with 7 days emails each contact every seventh day', () => {
    const s = cadenceSurvey({ every: '1 day' }, { audience: { skipIfSurveyedWithinDays: 7 } });
    const start = Date.parse('2026-03-01T09:00:00Z');
    const ann = emailedAt(s, start + 5_000);
    const on = (day: number) => chooseContact(ann, s, waveAt(s, start + day * dayMs), start + day * dayMs);
    expect([1, 6].map(on)).toEqual(['surveyed recently', 'surveyed recently']);
    expect(on(7)).toBe(true);
  });

  it.each([
    [{ every: '1 day' }, 89.5],
    [{ every: '2 weeks' }, 90],
    [{ every: '1 month' }, 82],
    [{ every: '2 months' }, 90],
    [{ every: '13 weeks' }, 84],
    [{ every: '90 days' }, 83],
    [{ every: '3 months' }, 82],
    [{ every: '6 months' }, 90],
    [{ cron: '0 9 1 * *' }, 82],
    [null, 90],
  ])('the default window of cadence %j (first published on 22 November) is %d days', (cadence, days) => {
    const s = cadenceSurvey(cadence, { cadenceAnchorAt: '2025-11-22T10:00:00.000Z' });
    expect(skipIfSurveyedDays(s)).toBeCloseTo(days, 6);
  });

  it('a survey without a cadence keeps the window as set', () => {
    expect(skipIfSurveyedDays(cadenceSurvey(null, { audience: { skipIfSurveyedWithinDays: 90 } }))).toBe(90);
    expect(
      skipIfSurveyedDays(cadenceSurvey({ every: '3 months' }, { audience: { skipIfSurveyedWithinDays: 0 } })),
    ).toBe(0);
  });
});
