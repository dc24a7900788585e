/**
 * Schedules on the local clock (issue 5): send windows across time zones and DST changes, a
 * quarterly survey over a simulated year with its reminders and expiry, unpublish and republish,
 * reminders that fire twice or after a crash, and triggered invitations with a delay.
 *
 * Every case has its own email domain and an audience restricted to it. The shared clock only moves
 * forward; "now" is what `advanceClock` answers. Outbox times are real time, so an email's send time
 * on the stack's clock is known only to the step of `advanceClock` after which it appeared: the
 * steps here end on whole UTC hours, where every send-window boundary of these zones falls.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  advanceClock,
  api,
  documentClient,
  lambdaClient,
  type OutboxEmail,
  apiOk as ok,
  outbox,
  schedulerClient,
  tableName,
} from './setup/helpers.ts';

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const domainFor = (label: string): string => `${label}-${run}.test`;
const hourMs = 3_600_000;
const dayMs = 86_400_000;

interface WaveView {
  id: string;
  surveyId: string;
  status: 'sending' | 'open' | 'closed';
  startedAt: string;
  closesAt: string;
  counts: Record<string, number>;
}

async function addContacts(contacts: { email: string; timezone?: string; locale?: string }[]): Promise<void> {
  const result = await ok<{ errors: unknown[] }>('/api/contacts', { body: { contacts } });
  expect(result.errors).toEqual([]);
}

async function createSurvey(domain: string, body: Record<string, unknown>): Promise<string> {
  const survey = await ok<{ id: string }>('/api/surveys', {
    body: {
      kind: 'nps',
      companyName: 'Acme',
      ...body,
      audience: {
        where: [{ field: 'email', endsWith: `@${domain}` }],
        ...(body.audience as object | undefined),
      },
    },
  });
  return survey.id;
}

const publish = (id: string) => ok<{ state: string }>(`/api/surveys/${id}/publish`, { method: 'POST' });
const unpublish = (id: string) => ok<{ state: string }>(`/api/surveys/${id}/unpublish`, { method: 'POST' });
const wavesOf = async (surveyId: string): Promise<WaveView[]> =>
  (await ok<{ waves: WaveView[] }>(`/api/surveys/${surveyId}/waves`)).waves.sort((a, b) =>
    a.startedAt.localeCompare(b.startedAt),
  );
const waveOf = (id: string) => again(() => ok<WaveView>(`/api/waves/${id}`));

async function startWave(surveyId: string): Promise<string> {
  const { waveId } = await ok<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' });
  await advanceClock(0); // the send job runs to its end (or to its first send-window wait)
  return waveId;
}

/** Moves the clock to an instant (it must be ahead) and answers the stack's new now. */
/**
 * Runs a request again when the keep-alive socket it reused was closed under it (undici's race with
 * the server's idle timeout, seen on a loaded machine). Only for requests that may run twice.
 */
async function again<T>(request: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request(attempt);
    } catch (err) {
      const code = ((err as Error).cause as { code?: string } | undefined)?.code ?? '';
      if (attempt >= 2 || !['UND_ERR_SOCKET', 'ECONNRESET'].includes(code)) throw err;
    }
  }
}

/**
 * Moves the clock to an instant (it must be ahead) and answers the stack's new now. Safe to repeat:
 * a retried request first reads where the clock stands.
 */
function advanceTo(ms: number): Promise<Date> {
  return again(async (attempt) => {
    const now = await advanceClock(0);
    if (ms < now.getTime()) {
      if (attempt > 0) return now; // the lost answer's request had moved it
      throw new Error(`the clock is already past ${new Date(ms).toISOString()}`);
    }
    return advanceClock((ms - now.getTime()) / 1000);
  });
}

/** The next 12:00 UTC at least `minAheadMs` from now. */
async function nextNoon(minAheadMs = 0): Promise<number> {
  const now = (await advanceClock(0)).getTime() + minAheadMs;
  const noon = Date.UTC(
    new Date(now).getUTCFullYear(),
    new Date(now).getUTCMonth(),
    new Date(now).getUTCDate(),
    12,
  );
  return noon > now ? noon : noon + dayMs;
}

/** The invitation token an email links to. */
function tokenIn(mail: OutboxEmail | undefined): string {
  const token = /\/r\/([A-Za-z0-9_.-]+)\?score=/.exec(mail?.body.text ?? '')?.[1];
  if (!token) throw new Error(`no response link in ${mail?.subject}`);
  return token;
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const answer = (token: string, score: number) =>
  api(`/r/${token}`, { key: null, body: `score=${score}`, headers: form });
const responsePage = (token: string) => api(`/r/${token}`, { key: null });

/** Emails to one address, split into first sends and reminders by subject. */
async function mailsTo(email: string): Promise<{ first: OutboxEmail[]; reminders: OutboxEmail[] }> {
  const all = await outbox({ to: email });
  return {
    first: all.filter((m) => !m.subject.startsWith('Reminder')),
    reminders: all.filter((m) => m.subject.startsWith('Reminder')),
  };
}

// ---- Local time, computed here independently of shared/schedule/send-window.ts ----

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];

function wallClock(zone: string, ms: number): { weekday: string; minutes: number; offsetMin: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const asUtc = Date.UTC(
    Number(get('year')),
    Number(get('month')) - 1,
    Number(get('day')),
    Number(get('hour')),
    Number(get('minute')),
  );
  return {
    weekday: get('weekday').toLowerCase(),
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
    offsetMin: Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000),
  };
}

/** Monday–Friday 09:00–17:00 in the zone (17:00 itself counts as the close of the step before). */
const inOfficeHours = (zone: string, ms: number, closeInclusive = false): boolean => {
  const local = wallClock(zone, ms);
  return (
    weekdays.includes(local.weekday) &&
    local.minutes >= 9 * 60 &&
    (closeInclusive ? local.minutes <= 17 * 60 : local.minutes < 17 * 60)
  );
};

const ceilHour = (ms: number): number => Math.ceil(ms / hourMs) * hourMs;
const ceilSecond = (ms: number): number => Math.ceil(ms / 1000) * 1000;

/** When an email due at `fromMs` may go out in the zone: at once inside the window, else the next whole hour inside it. */
function dueInWindow(zone: string, fromMs: number): number {
  if (inOfficeHours(zone, fromMs)) return fromMs;
  let t = ceilHour(fromMs);
  while (!inOfficeHours(zone, t)) t += hourMs;
  return t;
}

/** The first instant after `fromMs` at which the zone's UTC offset changes. */
function nextOffsetChange(zone: string, fromMs: number): number {
  const start = wallClock(zone, fromMs).offsetMin;
  for (let t = ceilHour(fromMs); t < fromMs + 400 * dayMs; t += hourMs) {
    if (wallClock(zone, t).offsetMin !== start) return t;
  }
  throw new Error(`${zone} has no DST change within 400 days`);
}

describe('send windows across time zones and DST changes', () => {
  const domain = domainFor('windows');
  // Contact → the zone its window is read in (the survey's, New York, for the one without a zone).
  const zones: Record<string, string> = {
    [`sto1@${domain}`]: 'Europe/Stockholm',
    [`sto2@${domain}`]: 'Europe/Stockholm',
    [`nyc@${domain}`]: 'America/New_York',
    [`sha@${domain}`]: 'Asia/Shanghai',
    [`nozone@${domain}`]: 'America/New_York',
  };

  it('emails every contact inside Monday–Friday 09:00–17:00 of its own zone, over both DST changes', async () => {
    await addContacts(
      Object.entries(zones).map(([email, timezone]) =>
        email.startsWith('nozone') ? { email } : { email, timezone },
      ),
    );
    const surveyId = await createSurvey(domain, {
      name: 'Windows',
      timezone: 'America/New_York',
      sendWindow: { days: weekdays, from: '09:00', to: '17:00' },
      reminders: { count: 1, afterDays: 3 },
      audience: { skipIfSurveyedWithinDays: 0 },
    });
    await publish(surveyId);

    // The Saturday (12:00Z) before the next DST change in Stockholm and in New York.
    const now = (await advanceClock(0)).getTime();
    const saturdays = ['Europe/Stockholm', 'America/New_York']
      .map((zone) => {
        const change = nextOffsetChange(zone, now + 2 * dayMs);
        const d = new Date(change);
        return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - 1, 12);
      })
      .sort((a, b) => a - b);
    for (const saturday of saturdays) expect(new Date(saturday).getUTCDay()).toBe(6);
    expect((saturdays[1] ?? 0) - (saturdays[0] ?? 0)).toBeGreaterThanOrEqual(6 * dayMs);

    // Every email of this case is looked at once: the first wave's last ones must not count again.
    const realStart = Math.floor(Date.now() / 1000) - 2;
    const seen = new Set<string>();
    for (const saturday of saturdays) {
      await advanceTo(saturday);
      const waveId = await startWave(surveyId);
      const started = await waveOf(waveId);
      // Saturday: nobody's window is open, so everybody waits and the counts say so.
      expect(started.status).toBe('sending');
      expect(started.counts).toMatchObject({ selected: 5, sent: 0, waiting: 5 });

      const sent: { to: string; subject: string; step: number }[] = [];
      let waitingAfterFirstSend: number | undefined;
      for (let step = saturday + hourMs; step <= saturday + 5 * dayMs; step += hourMs) {
        await advanceTo(step);
        const fresh = (await again(() => outbox({ since: realStart }))).filter(
          (m) => !seen.has(m.messageId) && (m.destination.to[0] ?? '') in zones,
        );
        for (const mail of fresh) {
          seen.add(mail.messageId);
          sent.push({ to: mail.destination.to[0] ?? '', subject: mail.subject, step });
        }
        if (fresh.length > 0 && waitingAfterFirstSend === undefined)
          waitingAfterFirstSend = (await waveOf(waveId)).counts.waiting;
      }

      // Each email appeared in an hour-long step that ends inside the recipient's window.
      for (const mail of sent) {
        const zone = zones[mail.to] ?? '';
        expect(
          inOfficeHours(zone, mail.step, true),
          `${mail.to} (${zone}) emailed in the hour up to ${new Date(mail.step).toISOString()}`,
        ).toBe(true);
      }
      // And exactly when expected: the first email at the first opening after the start, the
      // reminder 3 days after the start or, outside the window then, at the next opening.
      const startedAt = Date.parse(started.startedAt);
      const reminderAt = ceilSecond(startedAt + 3 * dayMs);
      for (const [email, zone] of Object.entries(zones)) {
        const mine = sent.filter((m) => m.to === email);
        expect(
          mine.map((m) => [
            m.subject.startsWith('Reminder') ? 'reminder' : 'first',
            new Date(m.step).toISOString(),
          ]),
          `${email} in ${zone}`,
        ).toEqual([
          ['first', new Date(ceilHour(dueInWindow(zone, startedAt))).toISOString()],
          ['reminder', new Date(ceilHour(dueInWindow(zone, reminderAt))).toISOString()],
        ]);
      }
      // Shanghai opens first: the other four still wait after its send.
      expect(waitingAfterFirstSend).toBe(4);
      const done = await waveOf(waveId);
      expect(done.status).toBe('open');
      expect(done.counts).toMatchObject({ selected: 5, sent: 5, reminded: 5, waiting: 0 });
    }
  }, 300_000);
});

describe('a quarterly survey over a simulated year', () => {
  const domain = domainFor('quarterly');
  const [ann, bob, cay] = ['ann', 'bob', 'cay'].map((n) => `${n}@${domain}`) as [string, string, string];
  let surveyId = '';
  let publishedAt = 0;
  let firstAt = 0;
  let wave: WaveView | undefined;

  it('publishing starts no wave; the schedule starts the first one a quarter later, at 09:00', async () => {
    await addContacts([ann, bob, cay].map((email) => ({ email, locale: 'en' })));
    surveyId = await createSurvey(domain, {
      name: 'Quarterly NPS',
      cadence: { every: '3 months' },
      reminders: { count: 1, afterDays: 3 },
      // Shorter than a quarter, so no wave skips anyone; how 90 days reads against a cadence whose
      // quarters can be 89 days is test/unit/skip-window.test.ts's.
      audience: { skipIfSurveyedWithinDays: 60 },
    });
    publishedAt = (await advanceTo(await nextNoon())).getTime();
    expect((await publish(surveyId)).state).toBe('published');
    const p = new Date(publishedAt);
    firstAt = Date.UTC(p.getUTCFullYear(), p.getUTCMonth() + 3, Math.min(p.getUTCDate(), 28), 9);

    await advanceTo(firstAt - hourMs);
    expect(await wavesOf(surveyId)).toHaveLength(0);
    await advanceTo(firstAt + 60_000);
    const waves = await wavesOf(surveyId);
    expect(waves).toHaveLength(1);
    wave = waves[0];
    expect(Date.parse(wave?.startedAt ?? '') - firstAt).toBeGreaterThanOrEqual(0);
    expect(Date.parse(wave?.startedAt ?? '') - firstAt).toBeLessThan(60_000);
    expect(wave).toMatchObject({ status: 'open', counts: { selected: 3, sent: 3 } });
  }, 120_000);

  it('a reminder after 3 days reaches only non-responders, and an unsubscribed contact gets none', async () => {
    const startedAt = Date.parse(wave?.startedAt ?? '');
    const annToken = tokenIn((await mailsTo(ann)).first[0]);
    const bobToken = tokenIn((await mailsTo(bob)).first[0]);
    expect((await answer(annToken, 9)).status).toBe(200);
    expect(
      (await api(`/u/${bobToken}`, { key: null, body: 'List-Unsubscribe=One-Click', headers: form })).status,
    ).toBe(200);

    await advanceTo(startedAt + 3 * dayMs - 60_000);
    expect((await mailsTo(cay)).reminders).toHaveLength(0);
    await advanceTo(startedAt + 3 * dayMs + 60_000);
    const cays = await mailsTo(cay);
    expect(cays.reminders).toHaveLength(1);
    expect(cays.reminders[0]?.subject).not.toBe(cays.first[0]?.subject);
    expect(tokenIn(cays.reminders[0])).toBe(tokenIn(cays.first[0]));
    expect((await mailsTo(ann)).reminders).toHaveLength(0);
    expect((await mailsTo(bob)).reminders).toHaveLength(0);
    expect((await waveOf(wave?.id ?? '')).counts).toMatchObject({ reminded: 1, responded: 1 });
  }, 120_000);

  it('expiry at day 14 turns the page to 410 and counts the open invitations as expired', async () => {
    const startedAt = Date.parse(wave?.startedAt ?? '');
    const cayToken = tokenIn((await mailsTo(cay)).first[0]);
    const annToken = tokenIn((await mailsTo(ann)).first[0]);
    await advanceTo(startedAt + 14 * dayMs - hourMs);
    expect((await responsePage(cayToken)).status).toBe(200);
    expect((await waveOf(wave?.id ?? '')).status).toBe('open');

    await advanceTo(startedAt + 14 * dayMs + 60_000);
    expect((await responsePage(cayToken)).status).toBe(410);
    expect((await answer(cayToken, 3)).status).toBe(410);
    expect((await answer(annToken, 0)).status).toBe(410);
    const closed = await waveOf(wave?.id ?? '');
    // Cay never answered; Bob unsubscribed but his invitation was open: both expire. Ann answered.
    expect(closed).toMatchObject({ status: 'closed', counts: { expired: 2, responded: 1 } });
    await advanceClock(0);
    const score = await ok<{ responses: number; nps: number }>(`/api/surveys/${surveyId}/score`);
    expect(score).toMatchObject({ responses: 1, nps: 100 });
  }, 120_000);

  it('over the year exactly 4 waves start, a quarter apart, each at 09:00 on the same day', async () => {
    for (
      let t = (await advanceClock(0)).getTime() + 30 * dayMs;
      t < publishedAt + 366 * dayMs;
      t += 30 * dayMs
    )
      await advanceTo(t);
    await advanceTo(publishedAt + 366 * dayMs);
    const waves = await wavesOf(surveyId);
    const p = new Date(publishedAt);
    expect(waves.map((w) => w.startedAt.slice(0, 13))).toEqual(
      [3, 6, 9, 12].map((months) =>
        new Date(Date.UTC(p.getUTCFullYear(), p.getUTCMonth() + months, Math.min(p.getUTCDate(), 28), 9))
          .toISOString()
          .slice(0, 13),
      ),
    );
    // Bob unsubscribed: the later waves reach Ann and Cay only.
    expect(waves.map((w) => w.counts.sent)).toEqual([3, 2, 2, 2]);
    expect(waves.slice(0, 3).map((w) => w.status)).toEqual(['closed', 'closed', 'closed']);
  }, 300_000);
});

describe('unpublish and republish', () => {
  const domain = domainFor('unpublish');
  const [xia, yan] = [`xia@${domain}`, `yan@${domain}`];
  let surveyId = '';
  let wave: WaveView | undefined;

  const link = (method: 'GET' | 'POST') =>
    method === 'GET'
      ? api(`/l/${surveyId}`, { key: null })
      : api(`/l/${surveyId}`, { key: null, body: 'score=8', headers: form });

  it('a monthly survey with a link: the link answers while published, the cadence starts a wave', async () => {
    await addContacts([{ email: xia }, { email: yan }]);
    surveyId = await createSurvey(domain, {
      name: 'Monthly NPS',
      cadence: { every: '1 month' },
      audience: { skipIfSurveyedWithinDays: 20 },
      link: { enabled: true },
      reminders: { count: 2, afterDays: 3 },
    });
    const publishedAt = (await advanceTo(await nextNoon())).getTime();
    await publish(surveyId);
    expect((await link('GET')).status).toBe(200);
    const p = new Date(publishedAt);
    const firstAt = Date.UTC(p.getUTCFullYear(), p.getUTCMonth() + 1, Math.min(p.getUTCDate(), 28), 9);
    await advanceTo(firstAt + 60_000);
    const waves = await wavesOf(surveyId);
    expect(waves).toHaveLength(1);
    wave = waves[0];
    expect(wave?.counts).toMatchObject({ sent: 2 });
  }, 120_000);

  it('unpublished on day 5: the link stops at once, emailed invitations answer until day 14', async () => {
    const startedAt = Date.parse(wave?.startedAt ?? '');
    await advanceTo(startedAt + 5 * dayMs);
    expect((await unpublish(surveyId)).state).toBe('unpublished');
    for (const method of ['GET', 'POST'] as const) expect([404, 410]).toContain((await link(method)).status);

    const xiaToken = tokenIn((await mailsTo(xia)).first[0]);
    const yanToken = tokenIn((await mailsTo(yan)).first[0]);
    await advanceTo(startedAt + 13 * dayMs);
    // The day-3 reminder went out while published; the day-6 one, after the unpublish, did not.
    expect((await mailsTo(yan)).reminders).toHaveLength(1);
    expect((await mailsTo(xia)).reminders).toHaveLength(1);
    expect((await responsePage(yanToken)).status).toBe(200);
    expect((await answer(xiaToken, 7)).status).toBe(200);

    await advanceTo(startedAt + 15 * dayMs);
    expect((await responsePage(yanToken)).status).toBe(410);
    expect((await answer(yanToken, 7)).status).toBe(410);
    expect((await answer(xiaToken, 8)).status).toBe(410);
    expect(await waveOf(wave?.id ?? '')).toMatchObject({ status: 'closed', counts: { expired: 1 } });
  }, 120_000);

  it('no wave starts while unpublished; republishing resumes the cadence on its own day, at its next occurrence', async () => {
    const startedAt = Date.parse(wave?.startedAt ?? '');
    await advanceTo(startedAt + 40 * dayMs); // past the month's occurrence
    expect(await wavesOf(surveyId)).toHaveLength(1);
    const republishedAt = (await advanceClock(0)).getTime();
    expect((await publish(surveyId)).state).toBe('published');
    expect((await link('GET')).status).toBe(200);
    await advanceTo(republishedAt + 32 * dayMs);
    const waves = await wavesOf(surveyId);
    expect(waves).toHaveLength(2);
    const resumed = Date.parse(waves[1]?.startedAt ?? '');
    expect(resumed).toBeGreaterThan(republishedAt);
    expect(new Date(resumed).getUTCHours()).toBe(9);
    // The day of the first publish, not of the republish 40 days later: the cadence does not move.
    expect(new Date(resumed).getUTCDate()).toBe(new Date(startedAt).getUTCDate());
    expect(resumed - republishedAt).toBeLessThan(31 * dayMs);
    expect(waves[1]?.counts).toMatchObject({ sent: 2 });
  }, 120_000);
});

describe('reminders fired twice, and after a crash', () => {
  const domain = domainFor('remind');
  const people = ['r1', 'r2', 'r3', 'r4'].map((n) => `${n}@${domain}`);

  it('nobody is reminded twice, and a stale claim left by a crash is reminded once', async () => {
    await addContacts(people.map((email) => ({ email })));
    const surveyId = await createSurvey(domain, { name: 'Remind', reminders: { count: 1, afterDays: 3 } });
    await publish(surveyId);
    const waveId = await startWave(surveyId);
    const { startedAt, counts } = await waveOf(waveId);
    expect(counts).toMatchObject({ sent: 4 });

    // A run crashed after claiming r1's reminder and before calling SES: its claim is stale.
    const r1Token = tokenIn((await mailsTo(people[0] ?? '')).first[0]);
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token: r1Token },
        UpdateExpression: 'SET reminderClaim = :n, reminderClaimAt = :at',
        ExpressionAttributeValues: { ':n': 1, ':at': Date.now() - hourMs },
      }),
    );

    await advanceTo(Date.parse(startedAt) + 3 * dayMs + 60_000);
    // The schedule fires again, twice in a row and twice at once.
    const lambda = lambdaClient();
    const invoke = async () => {
      const result = await lambda.send(
        new InvokeCommand({
          FunctionName: 'npswave-local-remind',
          Payload: new TextEncoder().encode(JSON.stringify({ waveId, reminder: 1 })),
        }),
      );
      expect(result.FunctionError).toBeUndefined();
      return JSON.parse(new TextDecoder().decode(result.Payload)) as { result: string };
    };
    expect(await invoke()).toMatchObject({ result: 'done' });
    expect(await invoke()).toMatchObject({ result: 'done' });
    await Promise.all([invoke(), invoke()]);
    await advanceClock(0);

    for (const email of people) {
      const { first, reminders } = await mailsTo(email);
      expect([first.length, reminders.length], email).toEqual([1, 1]);
      expect(reminders[0]?.subject).not.toBe(first[0]?.subject);
    }
    expect((await waveOf(waveId)).counts).toMatchObject({ sent: 4, reminded: 4 });
  }, 120_000);
});

describe('triggered invitations', () => {
  const domain = domainFor('triggered');
  const ticket = `ticket@${domain}`;

  it('a CES invitation with delayMinutes 15 is emailed 15 minutes later; a second one is throttled', async () => {
    const surveyId = await createSurvey(domain, {
      kind: 'ces',
      name: 'Support CES',
      reminders: { count: 0 },
    });
    await publish(surveyId);
    const before = (await advanceClock(0)).getTime();
    const triggered = await api<{ invitationId: string; sendAt: string }>(
      `/api/surveys/${surveyId}/invitations`,
      {
        body: { email: ticket, delayMinutes: 15 },
      },
    );
    expect(triggered.status).toBe(202);
    expect(triggered.json.invitationId).toMatch(/^i_/);
    const sendAt = Date.parse(triggered.json.sendAt);
    expect(sendAt - (before + 15 * 60_000)).toBeGreaterThanOrEqual(0);
    expect(sendAt - (before + 15 * 60_000)).toBeLessThan(30_000);

    await advanceClock(0);
    expect(await outbox({ to: ticket })).toHaveLength(0);
    await advanceTo(sendAt - 30_000);
    expect(await outbox({ to: ticket })).toHaveLength(0);
    await advanceTo(sendAt + 2_000);
    const mails = await outbox({ to: ticket });
    expect(mails).toHaveLength(1);

    const again = await api<{ skipped: string }>(`/api/surveys/${surveyId}/invitations`, {
      body: { email: ticket, delayMinutes: 15 },
    });
    expect(again.status).toBe(200);
    expect(again.json.skipped).toEqual(expect.any(String));
    expect(again.json.skipped.length).toBeGreaterThan(0);
    await advanceTo(sendAt + 20 * 60_000);
    expect(await outbox({ to: ticket })).toHaveLength(1);

    // The answer counts in the survey's score and response rate, through its "triggered" wave.
    expect((await answer(tokenIn(mails[0]), 6)).status).toBe(200);
    await advanceClock(0);
    const score = await ok<{ kind: string; responses: number; mean: number; responseRate: number }>(
      `/api/surveys/${surveyId}/score`,
    );
    expect(score).toMatchObject({ kind: 'ces', responses: 1, mean: 6, responseRate: 1 });
    const waves = await wavesOf(surveyId);
    expect(waves).toHaveLength(1);
    expect(waves[0]?.counts).toMatchObject({ selected: 1, sent: 1, responded: 1 });
  }, 120_000);
  it('an active marker whose wave was never made is dropped, not visited for ever', async () => {
    const waveId = 'w_nevermadeaaaaaaa';
    const marker = { pk: 'ACTIVE', sk: `WAVE#${waveId}` };
    await documentClient().send(new PutCommand({ TableName: tableName('surveys'), Item: marker }));
    const answer = await lambdaClient().send(
      new InvokeCommand({
        FunctionName: 'send',
        Payload: new TextEncoder().encode(JSON.stringify({ type: 'wave.continue', waveId })),
      }),
    );
    expect(JSON.parse(new TextDecoder().decode(answer.Payload))).toMatchObject({ waveId, result: 'done' });
    const left = await documentClient().send(
      new GetCommand({ TableName: tableName('surveys'), Key: marker, ConsistentRead: true }),
    );
    expect(left.Item).toBeUndefined();
  });

  it('a triggered invitation whose own schedule never fired is sent by the sweeper, once', async () => {
    const surveyId = await createSurvey(domain, {
      kind: 'csat',
      name: 'Lost schedule',
      reminders: { count: 0 },
    });
    await publish(surveyId);
    const lost = `lost-schedule@${domain}`;
    const triggered = await api<{ invitationId: string; sendAt: string }>(
      `/api/surveys/${surveyId}/invitations`,
      {
        body: { email: lost, delayMinutes: 15 },
      },
    );
    expect(triggered.status).toBe(202);
    // The invitation's own schedule is lost (as if its creation had failed after the invitation was written).
    await schedulerClient().send(
      new DeleteScheduleCommand({
        Name: `invite-${triggered.json.invitationId}`,
        GroupName: 'npswave-local',
      }),
    );
    await advanceTo(Date.parse(triggered.json.sendAt) + 5 * 60_000);
    expect(await outbox({ to: lost })).toHaveLength(0);
    const sweep = () =>
      lambdaClient().send(
        new InvokeCommand({
          FunctionName: 'send',
          Payload: new TextEncoder().encode(JSON.stringify({ type: 'waves.resume' })),
        }),
      );
    const swept = await sweep();
    expect(swept.FunctionError).toBeUndefined();
    expect(await outbox({ to: lost })).toHaveLength(1);
    // Settled: out of the outbox, so the next sweeps send nothing more.
    await sweep();
    await advanceClock(0);
    expect(await outbox({ to: lost })).toHaveLength(1);
  }, 120_000);
});
