/**
 * Whether a wave chooses a contact (`chooseContact`): status, criteria, "skip if this survey emailed
 * them within N days", the account-wide rule (CONTACT_THROTTLE_DAYS, read from the environment on
 * each call), and percent samples.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inPercentSample } from '../../shared/audience/sample.ts';
import type { Contact } from '../../shared/contact/schema.ts';
import { chooseContact, contactThrottleDays } from '../../shared/send/selection.ts';
import { newSurvey, skipIfSurveyedDays } from '../../shared/survey/lifecycle.ts';
import type { Survey } from '../../shared/survey/schema.ts';
import { type Wave, zeroCounts } from '../../shared/wave/schema.ts';

const at = Date.parse('2026-11-22T12:00:00.000Z');
const daysAgo = (n: number) => new Date(at - n * 86_400_000).toISOString();

const survey = (audience: Survey['audience'] = {}): Survey => ({
  ...newSurvey({ kind: 'nps', name: 'Q4', companyName: 'Acme' }, daysAgo(365)),
  audience,
  state: 'published',
});
const wave = (s: Survey, over: Partial<Wave> = {}): Wave => ({
  id: 'w_aaaaaaaaaaaaaaaa',
  surveyId: s.id,
  status: 'sending',
  phase: 'selecting',
  trigger: 'api',
  startedAt: daysAgo(0),
  closesAt: daysAgo(-14),
  counts: zeroCounts(),
  secret: 'secret',
  ...over,
});
const contact = (over: Partial<Contact> = {}): Contact => ({
  id: 'c_aaaaaaaaaaaaaaaaaaaa',
  email: 'ann@customer.test',
  properties: { plan: 'pro' },
  status: 'subscribed',
  feedback: {},
  surveyed: {},
  createdAt: daysAgo(400),
  updatedAt: daysAgo(400),
  ...over,
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('chooseContact', () => {
  it('chooses a subscribed contact that meets the criteria', () => {
    const s = survey({ where: [{ field: 'properties.plan', in: ['pro'] }] });
    expect(chooseContact(contact(), s, wave(s), at)).toBe(true);
    expect(chooseContact(contact({ properties: { plan: 'free' } }), s, wave(s), at)).toBe('criteria');
  });

  it.each(['unsubscribed', 'bounced', 'complained'] as const)('never chooses a %s contact', (status) => {
    const s = survey();
    expect(chooseContact(contact({ status }), s, wave(s), at)).toBe(status);
  });

  it('skips a contact this survey emailed within skipIfSurveyedWithinDays (90 by default)', () => {
    const s = survey();
    const emailed = (days: number) => contact({ surveyed: { [s.id]: daysAgo(days) } });
    expect(chooseContact(emailed(89), s, wave(s), at)).toBe('surveyed recently');
    expect(chooseContact(emailed(91), s, wave(s), at)).toBe(true);
    const s7 = { ...s, audience: { skipIfSurveyedWithinDays: 7 } };
    expect(chooseContact(emailed(6), s7, wave(s7), at)).toBe('surveyed recently');
    expect(chooseContact(emailed(8), s7, wave(s7), at)).toBe(true);
    const never = { ...s, audience: { skipIfSurveyedWithinDays: 0 } };
    expect(chooseContact(emailed(0), never, wave(never), at)).toBe(true);
    // Another survey's email does not count for this survey's rule.
    expect(chooseContact(contact({ surveyed: { s_other: daysAgo(1) } }), s, wave(s), at)).toBe(true);
  });

  it('a quarterly cadence with the default rule never skips its own last wave, even in an 89-day quarter', () => {
    const quarterly = { ...survey(), cadence: { every: '3 months' } };
    // February 1 to May 1 is 89 days; the last wave's email left two days after that wave began.
    const lastEmail = (days: number) => contact({ surveyed: { [quarterly.id]: daysAgo(days) } });
    expect(skipIfSurveyedDays(quarterly)).toBe(82);
    expect(chooseContact(lastEmail(87), quarterly, wave(quarterly), at)).toBe(true);
    // A wave started by hand a month after the cadence's still skips who it emailed.
    expect(chooseContact(lastEmail(30), quarterly, wave(quarterly), at)).toBe('surveyed recently');
    // Set explicitly to 90, it means the same "about a quarter" (test/unit/skip-window.test.ts).
    const explicit = { ...quarterly, audience: { skipIfSurveyedWithinDays: 90 } };
    expect(chooseContact(lastEmail(87), explicit, wave(explicit), at)).toBe(true);
    expect(chooseContact(lastEmail(30), explicit, wave(explicit), at)).toBe('surveyed recently');
  });

  describe('the account-wide rule (CONTACT_THROTTLE_DAYS)', () => {
    const s = survey({ skipIfSurveyedWithinDays: 0 });
    const lastSurveyed = (days: number) =>
      contact({ lastSurveyedAt: daysAgo(days), surveyed: { s_other: daysAgo(days) } });

    it('is off by default: a survey of any kind yesterday holds no one back', () => {
      vi.stubEnv('CONTACT_THROTTLE_DAYS', undefined);
      expect(contactThrottleDays()).toBe(0);
      expect(chooseContact(lastSurveyed(1), s, wave(s), at)).toBe(true);
    });

    it('with 30 days, skips anyone any survey emailed within 30 days', () => {
      vi.stubEnv('CONTACT_THROTTLE_DAYS', '30');
      expect(contactThrottleDays()).toBe(30);
      expect(chooseContact(lastSurveyed(1), s, wave(s), at)).toBe('surveyed recently by another survey');
      expect(chooseContact(lastSurveyed(29.9), s, wave(s), at)).toBe('surveyed recently by another survey');
      expect(chooseContact(lastSurveyed(30.1), s, wave(s), at)).toBe(true);
      // Never surveyed at all: chosen.
      expect(chooseContact(contact(), s, wave(s), at)).toBe(true);
    });

    it('is read on each call, so changing the environment changes the choice', () => {
      vi.stubEnv('CONTACT_THROTTLE_DAYS', '30');
      expect(chooseContact(lastSurveyed(10), s, wave(s), at)).not.toBe(true);
      vi.stubEnv('CONTACT_THROTTLE_DAYS', '7');
      expect(chooseContact(lastSurveyed(10), s, wave(s), at)).toBe(true);
      vi.stubEnv('CONTACT_THROTTLE_DAYS', '');
      expect(chooseContact(lastSurveyed(10), s, wave(s), at)).toBe(true);
    });

    it.each(['0', '-5', 'thirty'])('treats %j as off', (value) => {
      vi.stubEnv('CONTACT_THROTTLE_DAYS', value);
      expect(contactThrottleDays()).toBe(0);
      expect(chooseContact(lastSurveyed(1), s, wave(s), at)).toBe(true);
    });

    it('comes after the survey’s own rule and suppression', () => {
      vi.stubEnv('CONTACT_THROTTLE_DAYS', '30');
      const s90 = survey();
      const both = contact({ lastSurveyedAt: daysAgo(1), surveyed: { [s90.id]: daysAgo(1) } });
      expect(chooseContact(both, s90, wave(s90), at)).toBe('surveyed recently');
      expect(chooseContact({ ...both, status: 'bounced' }, s90, wave(s90), at)).toBe('bounced');
    });
  });

  it('keeps a percent sample to the contacts whose rank under the wave seed is below it', () => {
    const s = survey({ sample: { percent: 30 } });
    const seeded = wave(s, { sampleSeed: 'seed-1' });
    let chosen = 0;
    for (let i = 0; i < 400; i++) {
      const c = contact({ id: `c_${i}` });
      const expected = inPercentSample('seed-1', c.id, 30);
      expect(chooseContact(c, s, seeded, at)).toBe(expected ? true : 'not sampled');
      if (expected) chosen++;
    }
    expect(chosen).toBeGreaterThan(80);
    expect(chosen).toBeLessThan(160);
    // Without a seed on the wave, its id is the seed.
    const c = contact({ id: 'c_1' });
    expect(chooseContact(c, s, wave(s), at) === true).toBe(inPercentSample('w_aaaaaaaaaaaaaaaa', 'c_1', 30));
  });

  it('lets every eligible contact through a count sample (the lowest ranks are picked later)', () => {
    const s = survey({ sample: { count: 1 } });
    for (let i = 0; i < 20; i++) expect(chooseContact(contact({ id: `c_${i}` }), s, wave(s), at)).toBe(true);
  });
});
