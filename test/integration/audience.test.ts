/**
 * Who a wave chooses: each audience criterion of CONTRACT.md on top-level fields and `properties.*`,
 * suppression of unsubscribed, bounced and complained contacts, "skip if surveyed within N days",
 * and random samples that the wave's seed explains. Each case is asserted on exactly which contacts
 * got an invitation and an email, and is kept apart from the others by its own email domain (or
 * property).
 *
 * On a stack of its own (`npm start` in a child process), not the run's shared one: a wave scans
 * every contact, and other files leave the shared table with 100,000+ contacts (the 10 MB CSV
 * import), which made each of these ~30 waves take tens of seconds; the clock jumps here stay here.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRank } from '../../shared/audience/sample.ts';
import { contactIdFor } from '../../shared/ids.ts';
import { type ChildStack, freePorts, startChildStack } from './setup/child-stack.ts';
import {
  type ApiAnswer,
  type ApiOptions,
  advanceClock as advanceSharedClock,
  days,
  type OutboxEmail,
  api as sharedApi,
  waveInvitations,
} from './setup/helpers.ts';

const adminKey = 'npsw_audience_test_key';
let local: ChildStack;
let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'npswave-audience-'));
  local = await startChildStack(
    {
      ...(await freePorts()),
      NPSWAVE_DATA_DIR: dataDir,
      NPSWAVE_ADMIN_KEY: adminKey,
      NPSWAVE_DEMO: '0',
      NPSWAVE_SES_MAX_SEND_RATE: '50',
    },
    90_000,
  );
}, 120_000);

afterAll(async () => {
  await local?.stop('SIGTERM');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The admin API and pages of this file's stack. */
const api = <T = unknown>(path: string, options: ApiOptions = {}): Promise<ApiAnswer<T>> =>
  sharedApi<T>(path, { ...options, baseUrl: local.url, key: options.key === null ? null : adminKey });

const advanceClock = (seconds: number) => advanceSharedClock(seconds, local.url);

/** Every email this stack sent since (epoch seconds). */
async function outbox(filter: { since: number }): Promise<OutboxEmail[]> {
  const response = await fetch(`${local.sesUrl}/store?since=${Math.floor(filter.since)}`);
  if (!response.ok) throw new Error(`outbox answered ${response.status}`);
  return ((await response.json()) as { emails: OutboxEmail[] }).emails;
}

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const since = Math.floor(Date.now() / 1000) - 1;

interface WaveView {
  id: string;
  status: string;
  sampleSeed?: string;
  counts: Record<string, number>;
}

type ContactInput = {
  email: string;
  name?: string;
  locale?: string;
  customerSince?: string;
  properties?: Record<string, string | number>;
};

async function addContacts(contacts: ContactInput[]): Promise<void> {
  const answer = await api<{ created: number; updated: number; errors: unknown[] }>('/api/contacts', {
    body: { contacts },
  });
  expect(answer.status).toBe(200);
  expect(answer.json.errors).toEqual([]);
}

/** A published NPS survey with this audience (no reminders: they would add emails). */
async function publishedSurvey(name: string, audience: Record<string, unknown>): Promise<string> {
  const created = await api<{ id: string; error?: unknown }>('/api/surveys', {
    body: { kind: 'nps', name, companyName: 'Acme', audience, reminders: { count: 0 } },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const published = await api(`/api/surveys/${created.json.id}/publish`, { method: 'POST' });
  expect(published.status).toBe(200);
  return created.json.id;
}

async function getWave(waveId: string): Promise<WaveView> {
  const answer = await api<WaveView>(`/api/waves/${waveId}`);
  expect(answer.status).toBe(200);
  return answer.json;
}

/** Starts a wave and waits until it has sent (bounded). */
async function sendWave(surveyId: string): Promise<WaveView> {
  const started = await api<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' });
  expect(started.status).toBe(202);
  const deadline = Date.now() + 45_000;
  for (;;) {
    const wave = await getWave(started.json.waveId);
    if (wave.status !== 'sending') return wave;
    if (Date.now() > deadline)
      throw new Error(`wave ${wave.id} still sending: ${JSON.stringify(wave.counts)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The wave's invitations as stored. */
function invitationsOf(waveId: string): Promise<Record<string, unknown>[]> {
  return waveInvitations(waveId, local.dynamoUrl);
}

/** Which of these addresses the wave invited (by the invitations' contact ids), sorted. */
async function invited(waveId: string, among: string[]): Promise<string[]> {
  const byId = new Map(among.map((email) => [contactIdFor(email), email]));
  const items = await invitationsOf(waveId);
  const unknown = items.filter((inv) => !byId.has(String(inv.contactId)));
  expect(unknown, 'invitations to contacts outside the case').toEqual([]);
  return items.map((inv) => byId.get(String(inv.contactId)) as string).sort();
}

const tokenOf = (email: OutboxEmail): string =>
  /\/u\/([A-Za-z0-9_.-]+)>/.exec(
    email.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '',
  )?.[1] ?? '';

/** The emails a survey sent (its tokens start with the survey id), by recipient. */
async function emailsOf(surveyId: string): Promise<Map<string, OutboxEmail[]>> {
  const byTo = new Map<string, OutboxEmail[]>();
  for (const email of await outbox({ since })) {
    if (!tokenOf(email).startsWith(`${surveyId}.`)) continue;
    const to = (email.destination.to[0] ?? '').toLowerCase();
    byTo.set(to, [...(byTo.get(to) ?? []), email]);
  }
  return byTo;
}

/** The wave invited exactly `expected` and emailed each of them exactly once. */
async function expectChosen(surveyId: string, wave: WaveView, all: string[], expected: string[]) {
  const want = [...expected].sort();
  expect(await invited(wave.id, all)).toEqual(want);
  const emails = await emailsOf(surveyId);
  expect([...emails.keys()].sort()).toEqual(want);
  expect([...emails.values()].every((list) => list.length === 1)).toBe(true);
  expect(wave.counts).toMatchObject({ selected: want.length, sent: want.length, failed: 0 });
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('audience criteria', () => {
  const domain = `aud-${run}.test`;
  const ann = `ann@vip.${domain}`;
  const bob = `bob@${domain}`;
  const cai = `cai@${domain}`;
  const dan = `dan@vip.${domain}`;
  const eve = `eve@${domain}`;
  const all = [ann, bob, cai, dan, eve];
  /** Every survey of the case keeps to its domain: other files' contacts share the table. */
  const mine = { field: 'email', endsWith: domain };

  const cases: [string, Record<string, unknown>[], string[]][] = [
    ['customerSince olderThanDays', [{ field: 'customerSince', olderThanDays: 30 }], [ann, dan]],
    ['customerSince newerThanDays', [{ field: 'customerSince', newerThanDays: 30 }], [bob, eve]],
    ['in on a property, case-insensitive', [{ field: 'properties.plan', in: ['pro'] }], [ann, dan]],
    ['in on a top-level field', [{ field: 'locale', in: ['sv', 'zh-CN'] }], [ann, cai]],
    ['in with a number', [{ field: 'properties.seats', in: [12, 7] }], [cai]],
    [
      'notIn on a property (absent counts as not in)',
      [{ field: 'properties.plan', notIn: ['PRO', 'free'] }],
      [cai, eve],
    ],
    ['notIn on a top-level field', [{ field: 'locale', notIn: ['en'] }], [ann, cai, dan]],
    ['equals on a property, case-insensitive', [{ field: 'properties.region', equals: 'EU' }], [ann]],
    ['equals with a number', [{ field: 'properties.seats', equals: 120 }], [dan]],
    ['equals on a top-level field', [{ field: 'name', equals: 'dan' }], [dan]],
    ['endsWith on the email', [{ field: 'email', endsWith: `@VIP.${domain}` }], [ann, dan]],
    ['endsWith on a property', [{ field: 'properties.team', endsWith: '-Ops' }], [ann, dan]],
    ['notEndsWith on the email', [{ field: 'email', notEndsWith: `@vip.${domain}` }], [bob, cai, eve]],
    [
      'notEndsWith on a property (absent counts as not ending)',
      [{ field: 'properties.team', notEndsWith: '-ops' }],
      [bob, cai, eve],
    ],
    ['exists on a property', [{ field: 'properties.region', exists: true }], [ann, bob, dan]],
    ['exists: false on a top-level field', [{ field: 'customerSince', exists: false }], [cai]],
    ['exists on a top-level field', [{ field: 'name', exists: true }], [dan, eve]],
    [
      'all criteria together',
      [
        { field: 'customerSince', olderThanDays: 30 },
        { field: 'properties.plan', in: ['pro'] },
        { field: 'properties.region', notIn: ['apac'] },
      ],
      [ann],
    ],
  ];
  const waves = new Map<string, { surveyId: string; wave: WaveView }>();

  beforeAll(async () => {
    // Ages are measured on the stack's clock, which other files may have moved.
    const now = (await advanceClock(0)).getTime();
    await addContacts([
      {
        email: ann,
        locale: 'sv',
        customerSince: isoDay(now - days(100) * 1000),
        properties: { plan: 'pro', region: 'eu', team: 'web-ops' },
      },
      {
        email: bob,
        locale: 'en',
        customerSince: isoDay(now - days(10) * 1000),
        properties: { plan: 'free', region: 'us', team: 'sales' },
      },
      { email: cai, locale: 'zh-CN', properties: { plan: 'Enterprise', seats: 12 } },
      {
        email: dan,
        name: 'Dan',
        customerSince: isoDay(now - days(40) * 1000),
        properties: { plan: 'PRO', region: 'apac', team: 'dev-ops', seats: 120 },
      },
      { email: eve, name: 'Eve', locale: 'en', customerSince: isoDay(now - days(5) * 1000) },
    ]);
    // One survey per case, all waves at once.
    await Promise.all(
      cases.map(async ([name, where]) => {
        const surveyId = await publishedSurvey(`criteria ${name}`, { where: [mine, ...where] });
        waves.set(name, { surveyId, wave: await sendWave(surveyId) });
      }),
    );
  }, 120_000);

  it.each(cases)('%s', async (name, _where, expected) => {
    const { surveyId, wave } = waves.get(name) as { surveyId: string; wave: WaveView };
    expect(wave.status).toBe('open');
    await expectChosen(surveyId, wave, all, expected);
  });
});

describe('suppression: unsubscribed, bounced and complained contacts', () => {
  const domain = `sup-${run}.test`;
  const cohort = `sup-${run}`;
  const unsub = `unsub@${domain}`;
  const bounced = `bounced@${domain}`;
  const complained = `complained@${domain}`;
  const ok1 = `ok1@${domain}`;
  const ok2 = `ok2@${domain}`;
  // SES's mailbox simulator bounces this one for real (the local feed publishes the Bounce).
  const simulator = `bounce+${run}@simulator.amazonses.com`;
  const all = [unsub, bounced, complained, ok1, ok2, simulator];
  // The simulator address is outside the domain: this case is kept apart by a property.
  const audience = { where: [{ field: 'properties.cohort', equals: cohort }] };

  let first: { surveyId: string; wave: WaveView };
  let tokens: Map<string, OutboxEmail>;

  beforeAll(async () => {
    await addContacts(all.map((email) => ({ email, properties: { cohort } })));
    const surveyId = await publishedSurvey('suppression', audience);
    first = { surveyId, wave: await sendWave(surveyId) };
    tokens = new Map([...(await emailsOf(surveyId))].map(([to, list]) => [to, list[0] as OutboxEmail]));
  }, 60_000);

  const contactStatus = async (email: string) =>
    (await api<{ status: string }>(`/api/contacts?email=${encodeURIComponent(email)}`)).json.status;

  it('emails everyone while they are subscribed', async () => {
    await expectChosen(first.surveyId, first.wave, all, all);
  });

  it('takes a one-click unsubscribe, an injected bounce and complaint, and a simulator bounce', async () => {
    const email = (to: string) => tokens.get(to) as OutboxEmail;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const unsubscribed = await api(`/u/${tokenOf(email(unsub))}`, {
      key: null,
      body: 'List-Unsubscribe=One-Click',
      headers: form,
    });
    expect(unsubscribed.status).toBe(200);

    const sesEvent = (to: string, eventType: 'Bounce' | 'Complaint') => ({
      version: '0',
      source: 'aws.ses',
      'detail-type': eventType === 'Bounce' ? 'Email Bounced' : 'Complaint Received',
      detail: {
        eventType,
        mail: {
          timestamp: new Date().toISOString(),
          messageId: email(to).messageId,
          destination: [to],
          tags: { 'ses:configuration-set': ['npswave-local'], invitation: [tokenOf(email(to))] },
        },
        ...(eventType === 'Bounce'
          ? {
              bounce: {
                bounceType: 'Permanent',
                bounceSubType: 'General',
                bouncedRecipients: [{ emailAddress: to, action: 'failed', status: '5.1.1' }],
              },
            }
          : { complaint: { complainedRecipients: [{ emailAddress: to }], complaintFeedbackType: 'abuse' } }),
      },
    });
    const bounce = await api<{ outcome: string }>('/_local/ses-event', { body: sesEvent(bounced, 'Bounce') });
    expect(bounce.json).toEqual({ outcome: 'bounced' });
    const complaint = await api<{ outcome: string }>('/_local/ses-event', {
      body: sesEvent(complained, 'Complaint'),
    });
    expect(complaint.json).toEqual({ outcome: 'complained' });
    // Delivered twice, as EventBridge may: counted once.
    await api('/_local/ses-event', { body: sesEvent(bounced, 'Bounce') });

    await expect.poll(() => contactStatus(simulator), { timeout: 10_000 }).toBe('bounced');
    expect(await contactStatus(unsub)).toBe('unsubscribed');
    expect(await contactStatus(bounced)).toBe('bounced');
    expect(await contactStatus(complained)).toBe('complained');
    expect(await contactStatus(ok1)).toBe('subscribed');

    const wave = await getWave(first.wave.id);
    expect(wave.counts).toMatchObject({ sent: 6, bounced: 2, complained: 1, unsubscribed: 1 });
    const statuses = new Map(
      (await invitationsOf(first.wave.id)).map((inv) => [inv.contactId, inv.status] as const),
    );
    expect(statuses.get(contactIdFor(bounced))).toBe('bounced');
    expect(statuses.get(contactIdFor(simulator))).toBe('bounced');
  });

  it('leaves bounced invitations out of the response rate', async () => {
    const answered = await api(`/r/${tokenOf(tokens.get(ok1) as OutboxEmail)}`, {
      key: null,
      body: 'score=9',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([200, 303]).toContain(answered.status);
    await advanceClock(0);
    const score = await api<{ responses: number; responseRate: number }>(
      `/api/surveys/${first.surveyId}/score?wave=${first.wave.id}`,
    );
    // 1 answer out of 6 sent, 2 of which bounced: 1 / 4.
    expect(score.json).toMatchObject({ responses: 1, responseRate: 0.25 });
  });

  it('never chooses them again: the next survey emails only the subscribed', async () => {
    const surveyId = await publishedSurvey('suppression, second survey', audience);
    const wave = await sendWave(surveyId);
    await expectChosen(surveyId, wave, all, [ok1, ok2]);
  });
});

describe('sampling', () => {
  const domain = `sample-${run}.test`;
  const all = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, '0')}@${domain}`);
  const audienceWith = (sample: Record<string, unknown>) => ({
    where: [{ field: 'email', endsWith: `@${domain}` }],
    sample,
  });
  /** Who a percent sample with this seed holds. */
  const percentSample = (seed: string, percent: number) =>
    all.filter((email) => sampleRank(seed, contactIdFor(email)) < percent / 100);
  /** The n lowest sample ranks under this seed. */
  const lowestRanks = (seed: string, n: number) =>
    [...all]
      .sort((a, b) => sampleRank(seed, contactIdFor(a)) - sampleRank(seed, contactIdFor(b)))
      .slice(0, n);

  beforeAll(async () => {
    await addContacts(all.map((email) => ({ email })));
  });

  it('{percent: 50} picks about half, and the same seed picks the same people', async () => {
    const seed = `seed-${run}`;
    const [a, b] = await Promise.all(
      ['A', 'B'].map(async (name) => {
        const surveyId = await publishedSurvey(`sample 50% ${name}`, audienceWith({ percent: 50, seed }));
        return { surveyId, wave: await sendWave(surveyId) };
      }),
    );
    const expected = percentSample(seed, 50);
    expect(expected.length).toBeGreaterThanOrEqual(10);
    expect(expected.length).toBeLessThanOrEqual(30);
    for (const { surveyId, wave } of [a, b] as { surveyId: string; wave: WaveView }[]) {
      expect(wave.sampleSeed).toBe(seed);
      await expectChosen(surveyId, wave, all, expected);
    }
  });

  it('{percent: 50} without a seed uses the wave id, shown on the wave', async () => {
    const surveyId = await publishedSurvey('sample 50% unseeded', audienceWith({ percent: 50 }));
    const wave = await sendWave(surveyId);
    expect(wave.sampleSeed).toBe(wave.id);
    await expectChosen(surveyId, wave, all, percentSample(wave.id, 50));
  });

  it('{count: 7} picks exactly the 7 lowest sample ranks of the wave seed', async () => {
    const surveyId = await publishedSurvey('sample 7', audienceWith({ count: 7 }));
    const wave = await sendWave(surveyId);
    expect(wave.sampleSeed).toBe(wave.id);
    await expectChosen(surveyId, wave, all, lowestRanks(wave.id, 7));
  });

  it('{count: 100} of 40 eligible picks all 40', async () => {
    const surveyId = await publishedSurvey('sample 100', audienceWith({ count: 100, seed: 'x' }));
    const wave = await sendWave(surveyId);
    expect(wave.sampleSeed).toBe('x');
    await expectChosen(surveyId, wave, all, all);
  });
});

describe('skipIfSurveyedWithinDays', () => {
  const domain = `skip-${run}.test`;
  const all = [`a@${domain}`, `b@${domain}`, `c@${domain}`];

  it('skips everyone the survey emailed within N days, and chooses them again after', async () => {
    await addContacts(all.map((email) => ({ email })));
    const surveyId = await publishedSurvey('skip 7 days', {
      where: [{ field: 'email', endsWith: `@${domain}` }],
      skipIfSurveyedWithinDays: 7,
    });
    const first = await sendWave(surveyId);
    expect(first.counts).toMatchObject({ selected: 3, sent: 3 });
    expect(await invited(first.id, all)).toEqual(all);

    const second = await sendWave(surveyId);
    expect(second.status).toBe('open');
    expect(second.counts).toMatchObject({ selected: 0, sent: 0 });
    expect(await invited(second.id, all)).toEqual([]);

    // Another survey is not held back by this one's rule (the account-wide rule is off).
    const other = await publishedSurvey('skip 7 days, other survey', {
      where: [{ field: 'email', endsWith: `@${domain}` }],
    });
    expect((await sendWave(other)).counts).toMatchObject({ selected: 3, sent: 3 });

    await advanceClock(days(6));
    expect((await sendWave(surveyId)).counts).toMatchObject({ selected: 0 });
    await advanceClock(days(2));
    const later = await sendWave(surveyId);
    expect(later.counts).toMatchObject({ selected: 3, sent: 3 });
    expect(await invited(later.id, all)).toEqual(all);
    const emails = await emailsOf(surveyId);
    expect([...emails.keys()].sort()).toEqual(all);
    expect([...emails.values()].map((list) => list.length)).toEqual([2, 2, 2]);
  });
});
