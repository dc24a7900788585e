/**
 * The owners' digest against the shared local stack: a survey with two owners and a daily digest is
 * emailed, answered on its public pages (one detractor's comment carries markup), and has an open
 * follow-up; the clock moves to 07:00 UTC the next day and the digest function is fired three times
 * (twice at once, through the stack's Lambda stand-in, besides the daily schedule if the stack runs
 * it). Each owner gets exactly one digest, with the numbers worked out by hand; a weekly survey gets
 * one only on a Monday, and a survey whose digest is off gets none.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  advanceClock,
  apiOk,
  documentClient,
  lambdaClient,
  type OutboxEmail,
  outbox,
  stack,
} from './setup/helpers.ts';

const domain = `digest-${Date.now()}.test`;
const owners = [`owner1@team-${domain}`, `owner2@team-${domain}`];
const weeklyOwner = `weekly@team-${domain}`;
const offOwner = `off@team-${domain}`;
const hostile = '<script>alert(1)</script> far too slow & "buggy"';
const dayMs = 86_400_000;

let surveyId = '';
let firedAt: Date;
/** What each of the three firings did with this survey's digest. */
let outcomes: unknown[] = [];

async function waitForWave(waveId: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await apiOk<{ status: string }>(`/api/waves/${waveId}`)).status !== 'sending') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wave ${waveId} never finished sending`);
}

async function createSurvey(name: string, extra: Record<string, unknown>): Promise<string> {
  const { id } = await apiOk<{ id: string }>('/api/surveys', {
    body: {
      kind: 'nps',
      name,
      companyName: 'Acme',
      audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
      ...extra,
    },
  });
  await apiOk(`/api/surveys/${id}/publish`, { method: 'POST' });
  return id;
}

/** Fires the digest function through the stack's Lambda (as Scheduler would), waiting for it to finish. */
async function fireDigest(): Promise<unknown> {
  const answer = await lambdaClient().send(
    new InvokeCommand({ FunctionName: 'digest', Payload: JSON.stringify({ type: 'digests.send' }) }),
  );
  const body = JSON.parse(Buffer.from(answer.Payload ?? []).toString('utf8')) as unknown;
  if (answer.FunctionError) throw new Error(`digest failed: ${JSON.stringify(body)}`);
  return body;
}

const digestsTo = async (address: string): Promise<OutboxEmail[]> =>
  (await outbox({ to: address })).filter((e) => /digest/i.test(e.subject));

beforeAll(async () => {
  let now = await advanceClock(0);
  // The answers must all fall on one UTC day: keep clear of midnight.
  if (now.getUTCHours() === 23 && now.getUTCMinutes() >= 50) now = await advanceClock(20 * 60);

  const people = Array.from({ length: 5 }, (_, i) => ({
    email: `p${i}@${domain}`,
    name: `Person ${i}`,
    locale: 'en',
  }));
  await apiOk('/api/contacts', { body: { contacts: people } });
  surveyId = await createSurvey(`Digest daily ${domain}`, { owners, digest: 'daily' });
  // A weekly digest (the default once there are owners), and one turned off.
  await createSurvey(`Digest weekly ${domain}`, { owners: [weeklyOwner] });
  await createSurvey(`Digest off ${domain}`, { owners: [offOwner], digest: 'off' });

  const { waveId } = await apiOk<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' });
  await waitForWave(waveId);
  const tokens = new Map<string, string>();
  for (const person of people) {
    const [mail] = await outbox({ to: person.email });
    const token = /\/r\/([^"?]+)\?score=/.exec(mail?.body.html ?? '')?.[1];
    if (!token) throw new Error(`no invitation for ${person.email}`);
    tokens.set(person.email, token);
  }
  // 4 of 5 answer: 10, 9, 8 and a detractor's 3 with a comment; p3 never answers.
  const answers: [string, number, string][] = [
    [`p0@${domain}`, 10, 'Great'],
    [`p1@${domain}`, 9, ''],
    [`p2@${domain}`, 8, ''],
    [`p4@${domain}`, 3, hostile],
  ];
  for (const [email, score, comment] of answers) {
    const r = await fetch(`${stack().url}/r/${tokens.get(email)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ score: String(score), comment }).toString(),
    });
    expect(r.status).toBe(200);
  }
  now = await advanceClock(0);

  // An open follow-up of this survey, overdue by the time of the digest (as the alerts function keeps them).
  const dueAt = new Date(now.getTime() + 3_600_000).toISOString();
  await documentClient().send(
    new PutCommand({
      TableName: 'npswave-alerts',
      Item: {
        pk: 'FOLLOWUP#fu_digesttest0000000001',
        sk: 'FOLLOWUP',
        id: 'fu_digesttest0000000001',
        surveyId,
        surveyName: `Digest daily ${domain}`,
        invitationId: 'r_000000000000000000000001',
        responseUrl: `${stack().url}/admin/responses/r_000000000000000000000001`,
        contactName: 'Person 4',
        contactEmail: `p4@${domain}`,
        score: 3,
        segment: 'detractor',
        comment: hostile,
        status: 'open',
        dueAt,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        history: [],
        statusKey: 'FOLLOWUPS#open',
        statusSort: `${dueAt}#fu_digesttest0000000001`,
      },
    }),
  );

  // To 07:00 UTC the next day, when the daily schedule fires.
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + dayMs + 7 * 3_600_000;
  firedAt = await advanceClock(Math.ceil((next - now.getTime()) / 1000));
  const results = [...(await Promise.all([fireDigest(), fireDigest()])), await fireDigest()];
  outcomes = results.map((r) => (r as { outcomes: Record<string, unknown> }).outcomes[surveyId]);
}, 180_000);

describe('the owners’ digest', () => {
  it('emails each owner exactly one digest, however often the function fires', async () => {
    for (const owner of owners) expect(await digestsTo(owner), owner).toHaveLength(1);
    // One firing claimed and sent it (or the stack's own 07:00 schedule did, before these three);
    // the others found it claimed.
    expect(outcomes.filter((o) => o === 'sent').length).toBeLessThanOrEqual(1);
    for (const o of outcomes) expect(['sent', 'in-progress', 'already-sent']).toContain(o);
  });

  it('gives the day’s score, the change, answers and the response rate, worked out by hand', async () => {
    const [mail] = await digestsTo(owners[0] as string);
    // NPS: 2 promoters, 1 passive, 1 detractor of 4 → 100 × (2 − 1) / 4 = 25.
    expect(mail?.subject).toBe(`Daily digest · Digest daily ${domain}: NPS +25, 4 answers`);
    const text = mail?.body.text ?? '';
    // Margin: 1.96 × 100 × √((0.5 + 0.25 − 0.25²) / 4) = 81.3.
    expect(text).toContain('NPS that day: +25 ± 81.3 · 4 answers');
    expect(text).toContain('No answers in the period before to compare with.');
    expect(text).toContain('Answers: 4');
    // 4 answers of 5 delivered invitations.
    expect(text).toContain('Response rate: 80% (4 of 5 delivered invitations)');
    expect(text).toContain('- Promoters: 2 (50%)');
    expect(text).toContain('- Detractors: 1 (25%)');
    expect(text).toContain('New detractors\nIn this period: 1.');
    expect(text).toContain(hostile);
    expect(text).toContain('1 open, 1 overdue.');
    expect(text).toContain(`${stack().url}/admin/surveys/${surveyId}`);
    expect(mail?.from).toContain('surveys@npswave.local');
  });

  it('escapes the detractor’s comment and the follow-up in the HTML part', async () => {
    const [mail] = await digestsTo(owners[1] as string);
    const html = mail?.body.html ?? '';
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; far too slow &amp; &quot;buggy&quot;');
    expect(html).toContain('Person 4 &lt;p4@');
  });

  it('records the digest as sent, once, under its period', async () => {
    const day = new Date(firedAt.getTime() - dayMs).toISOString().slice(0, 10);
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: 'npswave-alerts', Key: { pk: `DIGEST#${surveyId}`, sk: day } }),
    );
    expect(Item).toMatchObject({ status: 'sent', cadence: 'daily', periodKey: day });
    expect(Object.keys(Item?.sentTo ?? {}).sort()).toEqual([...owners].sort());
    expect(typeof Item?.messageId).toBe('string');
  });

  it('sends a weekly digest only on a Monday, and none when it is turned off', async () => {
    expect(await digestsTo(weeklyOwner)).toHaveLength(firedAt.getUTCDay() === 1 ? 1 : 0);
    expect(await digestsTo(offOwner)).toHaveLength(0);
  });
});
