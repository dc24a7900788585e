/**
 * Alert rules end to end on the local stack: an answer fires its rules once, from the invitations
 * stream; an edit fires again only into a rule it did not match, a retried submit never. Webhooks
 * arrive signed (verified by the `standardwebhooks` reference package), survive a receiver that is
 * down for 24 simulated hours, a 410, a rotation and a delivery worker that dies holding a claim;
 * alert emails are one per rule an hour; follow-ups open, close with a note and reopen.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../local/webhook-receiver.ts';
import {
  advanceClock,
  api,
  apiOk,
  days,
  documentClient,
  lambdaClient,
  outbox,
  tableName,
} from './setup/helpers.ts';

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const domain = (name: string) => `${name}-${run}.alerts.test`;

let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
});
afterAll(async () => {
  await receiver.stop();
});

interface RuleView {
  id: string;
  webhook?: { url: string; secret?: string; secretSet: boolean };
}
interface SurveyView {
  id: string;
  alerts: RuleView[];
}
interface Delivery {
  id: string;
  webhookId: string;
  status: string;
  channel: string;
  tries: number;
  failure?: string;
  attempts: { status?: number; error?: string; latencyMs: number }[];
}
interface FollowUp {
  id: string;
  status: string;
  assignee?: string;
  score: number;
  note?: string;
  dueAt: string;
  contactEmail?: string;
  history: { action: string }[];
}

/** Contacts of one test's own domain, a published survey with `alerts`, a wave: their tokens. */
async function surveyWithAnswerers(name: string, count: number, body: Record<string, unknown>) {
  const dom = domain(name);
  const contacts = Array.from({ length: count }, (_, i) => ({
    email: `p${i}@${dom}`,
    name: `Person ${i}`,
    properties: { accountOwner: `owner${i % 2}@team.test` },
  }));
  const added = await apiOk<{ errors: unknown[] }>('/api/contacts', { body: { contacts } });
  expect(added.errors).toEqual([]);
  const created = await api<SurveyView>('/api/surveys', {
    body: {
      kind: 'nps',
      name: `Alerts ${name}`,
      companyName: 'Acme',
      audience: { where: [{ field: 'email', endsWith: `@${dom}` }] },
      reminders: { count: 0 },
      ...body,
    },
  });
  expect(created.status).toBe(201);
  const survey = created.json;
  await apiOk(`/api/surveys/${survey.id}/publish`, { method: 'POST' });
  const { waveId } = await apiOk<{ waveId: string }>(`/api/surveys/${survey.id}/waves`, { method: 'POST' });
  for (let i = 0; i < 150; i++) {
    const wave = await apiOk<{ status: string }>(`/api/waves/${waveId}`);
    if (wave.status !== 'sending') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tokens: string[] = [];
  for (const contact of contacts) {
    const [mail] = await outbox({ to: contact.email });
    const token = /\/r\/([^"?\s]+)\?score=/.exec(mail?.body.text ?? '')?.[1];
    if (!token) throw new Error(`no invitation reached ${contact.email}`);
    tokens.push(token);
  }
  return { survey, tokens, contacts };
}

async function answer(token: string, score: number, comment?: string): Promise<void> {
  const body = `score=${score}${comment ? `&comment=${encodeURIComponent(comment)}` : ''}`;
  const posted = await api(`/r/${token}`, { key: null, body, headers: form });
  expect(posted.status).toBe(200);
}

/** Lets the stream consumers and the deliver invocations they start finish. */
const settle = () => advanceClock(0);

async function deliveries(status: string): Promise<Delivery[]> {
  const all: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const page = await apiOk<{ deliveries: Delivery[]; cursor?: string }>(
      `/api/webhook-deliveries?status=${status}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    all.push(...page.deliveries);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

const sweep = () =>
  lambdaClient().send(
    new InvokeCommand({
      FunctionName: 'deliver',
      Payload: new TextEncoder().encode(JSON.stringify({ type: 'deliveries.sweep' })),
    }),
  );

describe('webhooks', () => {
  it('posts each matching answer once, signed, with the contract body; edits fire only into a new rule', async () => {
    const path = `/json-${run}`;
    const { survey, tokens, contacts } = await surveyWithAnswerers('json', 2, {
      alerts: [
        { name: 'Detractors', when: { segment: 'detractor' }, webhook: { url: receiver.url(path) } },
        { when: { commentContains: 'price' }, webhook: { url: receiver.url(`${path}-price`) } },
      ],
    });
    const secret = survey.alerts[0]?.webhook?.secret;
    expect(secret).toMatch(/^whsec_/);
    // Shown once: a read has none.
    const read = await apiOk<SurveyView>(`/api/surveys/${survey.id}`);
    expect(JSON.stringify(read)).not.toContain('whsec_');
    expect(read.alerts[0]?.webhook).toMatchObject({ secretSet: true });

    await answer(tokens[0] as string, 3, 'Too slow <b>&</b>');
    await answer(tokens[0] as string, 3, 'Too slow <b>&</b>'); // a retried submit: nothing new
    await answer(tokens[1] as string, 9);
    await settle();
    await receiver.waitFor((r) => r.filter((x) => x.path === path).length >= 1, 10_000);
    const [first, ...others] = receiver.received(path);
    expect(others).toHaveLength(0);
    const event = new Webhook(secret as string).verify(
      first?.body as string,
      first?.headers as Record<string, string>,
    ) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      type: 'response.created',
      data: {
        surveyId: survey.id,
        surveyName: 'Alerts json',
        kind: 'nps',
        score: 3,
        segment: 'detractor',
        comment: 'Too slow <b>&</b>',
        contact: {
          email: contacts[0]?.email,
          name: 'Person 0',
          properties: { accountOwner: 'owner0@team.test' },
        },
        responseUrl: expect.stringMatching(/\/admin\/responses\/r_[0-9a-f]{24}$/),
      },
    });
    expect(JSON.stringify(event)).not.toContain(tokens[0]);

    // Within the rule (3 → 5): nothing. Out of it (9) and back (2): one more, response.updated.
    await answer(tokens[0] as string, 5, 'Too slow');
    await answer(tokens[0] as string, 9, 'Fine now');
    await settle();
    await answer(tokens[0] as string, 2, 'The price went up');
    await settle();
    await receiver.waitFor((r) => r.filter((x) => x.path === path).length >= 2, 10_000);
    await receiver.waitFor((r) => r.filter((x) => x.path === `${path}-price`).length >= 1, 10_000);
    const again = receiver.received(path);
    expect(again).toHaveLength(2);
    expect(JSON.parse(again[1]?.body as string)).toMatchObject({
      type: 'response.updated',
      data: { score: 2 },
    });
    expect(receiver.uniqueIds(path).length).toBe(2);
    expect(receiver.received(`${path}-price`)).toHaveLength(1);

    const delivered = (await deliveries('delivered')).filter((d) => d.webhookId === first?.webhookId);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.attempts[0]).toMatchObject({ status: 200 });
  });

  it('a receiver down for 24 simulated hours gets every event once it is back', async () => {
    const path = `/down-${run}`;
    receiver.behave(path, { status: 503, retryAfter: 60 });
    const { survey, tokens } = await surveyWithAnswerers('down', 3, {
      alerts: [{ when: { scoreAtMost: 6 }, webhook: { url: receiver.url(path) } }],
    });
    for (const token of tokens) await answer(token, 1);
    await settle();
    await advanceClock(days(1));
    const failing = receiver.received(path);
    expect(failing.length).toBeGreaterThanOrEqual(3 * 6);
    expect(receiver.accepted(path)).toHaveLength(0);
    const pending = (await deliveries('pending')).filter(
      (d) => d.id && failing.some((f) => f.webhookId === d.webhookId),
    );
    expect(pending).toHaveLength(3);
    for (const d of pending) expect(d.attempts.length).toBeGreaterThanOrEqual(6);

    receiver.reset(path);
    await advanceClock(days(1));
    expect(receiver.uniqueIds(path).length).toBe(3);
    expect(receiver.accepted(path)).toHaveLength(3);
    // Every attempt of one event carried the same id.
    const ids = new Set(receiver.received(path).map((r) => r.webhookId));
    expect(ids.size).toBe(3);
    expect(survey.alerts).toHaveLength(1);
  });

  it('a 410 disables the hook and tells the owners; a redelivery turns it back on', async () => {
    const path = `/gone-${run}`;
    receiver.behave(path, { gone: true });
    const owner = `owner-${run}@team.test`;
    const { tokens, survey: created } = await surveyWithAnswerers('gone', 2, {
      owners: [owner],
      alerts: [{ when: { segment: 'detractor' }, webhook: { url: receiver.url(path) } }],
    });
    await answer(tokens[0] as string, 0);
    await settle();
    await receiver.waitFor((r) => r.some((x) => x.path === path), 10_000);
    await answer(tokens[1] as string, 4);
    await settle();
    expect(receiver.received(path)).toHaveLength(1); // the second never went out
    const failed = (await deliveries('failed')).filter(
      (d) => receiver.received(path)[0]?.webhookId === d.webhookId,
    );
    expect(failed[0]?.failure).toMatch(/gone \(410\)/);
    const notices = await outbox({ to: owner });
    expect(notices).toHaveLength(1);
    expect(notices[0]?.subject).toContain('Webhook disabled');

    receiver.reset(path);
    const all = (await deliveries('failed')).filter(
      (d) => d.failure?.includes('410') || d.failure?.includes('hook disabled'),
    );
    for (const d of all.filter((x) => x.attempts.length <= 1)) {
      await apiOk(`/api/webhook-deliveries/${d.id}/redeliver`, { method: 'POST' });
    }
    await settle();
    await receiver.waitFor((r) => r.filter((x) => x.path === path && x.status === 200).length >= 2, 10_000);
    expect(receiver.uniqueIds(path).length).toBe(2);

    // Disabled again, then the rule gets a new URL: the 410 of the old receiver does not hold for it.
    receiver.behave(path, { gone: true });
    await answer(tokens[0] as string, 9);
    await settle();
    await answer(tokens[0] as string, 1, 'worse');
    await settle();
    await receiver.waitFor((r) => r.filter((x) => x.path === path && x.status === 410).length >= 2, 10_000);
    const surveyId = created.id;
    const survey = await apiOk<SurveyView & { alerts: (RuleView & { when: unknown })[] }>(
      `/api/surveys/${surveyId}`,
    );
    const moved = `${path}-moved`;
    await apiOk(`/api/surveys/${surveyId}`, {
      method: 'PATCH',
      body: {
        alerts: survey.alerts.map(({ webhook, ...rule }) => ({
          ...rule,
          webhook: { url: receiver.url(moved) },
        })),
      },
    });
    // Out of the rule and back in: one more event, posted to the rule's URL as it is now.
    await answer(tokens[1] as string, 9);
    await settle();
    await answer(tokens[1] as string, 0, 'still bad');
    await settle();
    await receiver.waitFor((r) => r.some((x) => x.path === moved && x.status === 200), 10_000);
  });

  it('replays a time range with the same webhook-ids, and signs with both secrets during a rotation', async () => {
    const path = `/replay-${run}`;
    const { survey, tokens } = await surveyWithAnswerers('replay', 2, {
      alerts: [{ when: { scoreAtMost: 10 }, webhook: { url: receiver.url(path) } }],
    });
    const ruleId = survey.alerts[0]?.id as string;
    const oldSecret = survey.alerts[0]?.webhook?.secret as string;
    // The stack's clock, which other tests may have moved years ahead of the real one.
    const from = new Date((await advanceClock(0)).getTime() - 60_000).toISOString();
    await answer(tokens[0] as string, 8);
    await answer(tokens[1] as string, 10);
    await settle();
    await receiver.waitFor((r) => r.filter((x) => x.path === path).length >= 2, 10_000);
    const rotated = await apiOk<{ secret: string; previousSecretValidUntil: string }>(
      `/api/surveys/${survey.id}/alerts/${ruleId}/rotate-secret`,
      { method: 'POST' },
    );
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(oldSecret);
    const replay = await api<{ replayed: number }>(`/api/surveys/${survey.id}/webhooks/replay`, {
      body: { from, to: new Date((await advanceClock(0)).getTime() + 60_000).toISOString() },
    });
    expect(replay.status).toBe(202);
    expect(replay.json.replayed).toBe(2);
    await settle();
    await receiver.waitFor((r) => r.filter((x) => x.path === path).length >= 4, 10_000);
    const got = receiver.received(path);
    expect(receiver.uniqueIds(path).length).toBe(2);
    for (const request of got.slice(2)) {
      expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
      expect(
        new Webhook(oldSecret).verify(request.body, request.headers as Record<string, string>),
      ).toBeTruthy();
      expect(
        new Webhook(rotated.secret).verify(request.body, request.headers as Record<string, string>),
      ).toBeTruthy();
    }
    const bad = await api(`/api/surveys/${survey.id}/webhooks/replay`, { body: { from: 'yesterday' } });
    expect(bad.status).toBe(400);
  });

  it('a delivery worker that dies holding its claim loses nothing: the sweep delivers it', async () => {
    const path = `/killed-${run}`;
    receiver.behave(path, { down: true });
    const { tokens } = await surveyWithAnswerers('killed', 1, {
      alerts: [{ when: { scoreAtMost: 6 }, webhook: { url: receiver.url(path) } }],
    });
    await answer(tokens[0] as string, 2);
    await settle();
    await receiver.waitFor((r) => r.filter((x) => x.path === path).length >= 2, 15_000);
    const [delivery] = (await deliveries('pending')).filter(
      (d) => d.webhookId === receiver.received(path)[0]?.webhookId,
    );
    expect(delivery).toBeDefined();
    // A worker takes the record and dies before it settles (the claim is written, nothing else).
    const now = await advanceClock(0);
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('alerts'),
        Key: { pk: `DELIVERY#${delivery?.id}`, sk: 'DELIVERY' },
        UpdateExpression: 'SET claimedUntil = :until',
        ExpressionAttributeValues: { ':until': now.getTime() + 20 * 60_000 },
      }),
    );
    receiver.reset(path);
    // Its retry schedule fires while the dead worker still holds the claim: skipped, not lost.
    await advanceClock(10 * 60);
    expect(receiver.accepted(path)).toHaveLength(0);
    // The claim runs out; no schedule is left, and the sweep (every five minutes on AWS) finds it.
    await advanceClock(15 * 60);
    expect(receiver.accepted(path)).toHaveLength(0);
    await sweep();
    await settle();
    expect(receiver.accepted(path)).toHaveLength(1);
    expect(receiver.uniqueIds(path).length).toBe(1);
  });
});

describe('alert emails and follow-ups', () => {
  it('emails one alert, then one summary an hour, every field escaped', async () => {
    const to = `alerts-${run}@team.test`;
    const { tokens } = await surveyWithAnswerers('mail', 6, {
      alerts: [{ name: 'Unhappy', when: { segment: 'detractor' }, email: [to] }],
    });
    await answer(tokens[0] as string, 1, '<script>alert(1)</script>');
    await settle();
    const single = await outbox({ to });
    expect(single).toHaveLength(1);
    expect(single[0]?.body.html).not.toContain('<script>');
    expect(single[0]?.body.html).toContain('&lt;script&gt;');
    for (const token of tokens.slice(1)) await answer(token, 2);
    await settle();
    expect(await outbox({ to })).toHaveLength(1); // the window is closed: they wait
    await advanceClock(61 * 60);
    const mails = await outbox({ to });
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toMatch(/5/);
  });

  it('opens a follow-up assigned from a contact property, closes it only with a note, reopens on the next answer', async () => {
    const { survey, tokens } = await surveyWithAnswerers('followups', 1, {
      alerts: [
        {
          when: { segment: 'detractor' },
          followUp: { assigneeFrom: 'properties.accountOwner', dueInHours: 48 },
        },
      ],
    });
    await answer(tokens[0] as string, 4, 'Support never answered');
    await settle();
    const { followUps } = await apiOk<{ followUps: FollowUp[] }>(
      `/api/followups?status=open&surveyId=${survey.id}`,
    );
    expect(followUps).toHaveLength(1);
    const [followUp] = followUps;
    expect(followUp).toMatchObject({
      status: 'open',
      assignee: 'owner0@team.test',
      score: 4,
      segment: 'detractor',
    });
    const dueInHours =
      (Date.parse(followUp?.dueAt as string) - (await advanceClock(0)).getTime()) / 3_600_000;
    expect(dueInHours).toBeGreaterThan(47);
    expect(dueInHours).toBeLessThanOrEqual(48);

    const noNote = await api<{ error: { message: string } }>(`/api/followups/${followUp?.id}`, {
      method: 'PATCH',
      body: { status: 'closed' },
    });
    expect(noNote.status).toBe(400);
    expect(noNote.json.error.message).toMatch(/note/);
    const closed = await apiOk<FollowUp>(`/api/followups/${followUp?.id}`, {
      method: 'PATCH',
      body: { status: 'closed', note: 'Called them; refund issued' },
    });
    expect(closed).toMatchObject({ status: 'closed', note: 'Called them; refund issued' });

    // Out of the rule and back in: the same follow-up reopens, no second one.
    await answer(tokens[0] as string, 9);
    await settle();
    await answer(tokens[0] as string, 3, 'Worse again');
    await settle();
    const open = await apiOk<{ followUps: FollowUp[] }>(`/api/followups?status=open&surveyId=${survey.id}`);
    expect(open.followUps).toHaveLength(1);
    expect(open.followUps[0]).toMatchObject({ id: followUp?.id, status: 'open', score: 3 });
    expect(open.followUps[0]?.history.map((h) => h.action)).toEqual(['opened', 'closed', 'reopened']);

    // Erasing the contact takes its follow-up with it.
    const contactId = (open.followUps[0] as FollowUp & { contactId: string }).contactId;
    expect((await api(`/api/contacts/${contactId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/api/followups/${followUp?.id}`)).status).toBe(404);
  });
});
