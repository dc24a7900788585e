/**
 * Anonymous surveys after the answer: the contact can still unsubscribe with one click and SES's
 * complaints still reach it (the next wave leaves both out), while nothing an admin reads (the
 * responses API and CSV, the comment feed, the contact and its timeline) joins the answer to them.
 * Then erasure: nothing of the contact stays in invitations (anonymous answers and SES's failure
 * reasons included) or in a fixed-count sample's candidates.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { contactIdFor } from '../../shared/ids.ts';
import { signedIn } from './setup/dashboard.ts';
import {
  advanceClock,
  api,
  apiOk,
  documentClient,
  type OutboxEmail,
  outbox,
  tableName,
  waveInvitations,
} from './setup/helpers.ts';

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

interface WaveView {
  id: string;
  status: string;
  counts: Record<string, number>;
}

async function addContacts(contacts: { email: string; name: string }[]): Promise<void> {
  const answer = await apiOk<{ errors: unknown[] }>('/api/contacts', { body: { contacts } });
  expect(answer.errors).toEqual([]);
}

/** A published NPS survey for one email domain (no reminders: they would add emails). */
async function publishedSurvey(name: string, domain: string, extra: Record<string, unknown> = {}) {
  const created = await apiOk<{ id: string }>('/api/surveys', {
    body: {
      kind: 'nps',
      name,
      companyName: 'Acme',
      audience: { where: [{ field: 'email', endsWith: domain }] },
      reminders: { count: 0 },
      ...extra,
    },
  });
  await apiOk(`/api/surveys/${created.id}/publish`, { method: 'POST' });
  return created.id;
}

/** Starts a wave and waits until it has sent (bounded). */
async function sendWave(surveyId: string): Promise<WaveView> {
  const started = await apiOk<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' });
  await advanceClock(0);
  const deadline = Date.now() + 45_000;
  for (;;) {
    const wave = await apiOk<WaveView>(`/api/waves/${started.waveId}`);
    if (wave.status !== 'sending') return wave;
    if (Date.now() > deadline)
      throw new Error(`wave ${wave.id} still sending: ${JSON.stringify(wave.counts)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const tokenOf = (email: OutboxEmail): string =>
  /\/u\/([A-Za-z0-9_.-]+)>/.exec(
    email.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '',
  )?.[1] ?? '';

/** The survey's token in the emails to each address (exactly one email each). */
async function tokensOf(surveyId: string, addresses: string[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const to of addresses) {
    const mine = (await outbox({ to })).map(tokenOf).filter((t) => t.startsWith(`${surveyId}.`));
    expect(mine, to).toHaveLength(1);
    tokens.set(to, mine[0] as string);
  }
  return tokens;
}

async function answer(token: string, body: string): Promise<void> {
  const answered = await api(`/r/${token}`, { key: null, body, headers: form });
  expect(answered.status).toBe(200);
}

const complaint = (to: string, token: string) => ({
  version: '0',
  source: 'aws.ses',
  'detail-type': 'Complaint Received',
  detail: {
    eventType: 'Complaint',
    mail: {
      timestamp: new Date().toISOString(),
      messageId: `m-${token.slice(-8)}`,
      destination: [to],
      tags: { 'ses:configuration-set': ['npswave-local'], invitation: [token] },
    },
    complaint: { complainedRecipients: [{ emailAddress: to }], complaintFeedbackType: 'abuse' },
  },
});

const statusOf = async (email: string) =>
  (await apiOk<{ status: string }>(`/api/contacts?email=${encodeURIComponent(email)}`)).status;

/** Every stored item of a wave's invitations, as written. */
function invitationItems(waveId: string): Promise<Record<string, unknown>[]> {
  return waveInvitations(waveId);
}

describe('anonymous answers', () => {
  const domain = `anon-${run}.test`;
  const ann = `ann@${domain}`;
  const bob = `bob@${domain}`;
  const cai = `cai@${domain}`;

  it('leave the contact reachable for unsubscribe and complaints, and linkable by no admin view', async () => {
    await addContacts([
      { email: ann, name: 'Annika Quietly' },
      { email: bob, name: 'Bobby Quietly' },
      { email: cai, name: 'Caius Quietly' },
    ]);
    const surveyId = await publishedSurvey('Anonymous pulse', domain, { anonymous: true });
    const wave = await sendWave(surveyId);
    expect(wave.counts).toMatchObject({ selected: 3, sent: 3 });
    const tokens = await tokensOf(surveyId, [ann, bob, cai]);
    await answer(tokens.get(ann) as string, 'score=3&comment=The+onboarding+hurt');
    await answer(tokens.get(bob) as string, 'score=10&comment=Simply+loves+it');
    await advanceClock(0);

    // One click from Ann's mail client after her answer; Bob's complaint after his.
    const unsubscribed = await api(`/u/${tokens.get(ann)}`, {
      key: null,
      body: 'List-Unsubscribe=One-Click',
      headers: form,
    });
    expect(unsubscribed.status).toBe(200);
    const complained = await api<{ outcome: string }>('/_local/ses-event', {
      body: complaint(bob, tokens.get(bob) as string),
    });
    expect(complained.json).toEqual({ outcome: 'complained' });
    expect(await statusOf(ann)).toBe('unsubscribed');
    expect(await statusOf(bob)).toBe('complained');
    expect(await statusOf(cai)).toBe('subscribed');
    expect((await apiOk<WaveView>(`/api/waves/${wave.id}`)).counts).toMatchObject({
      responded: 2,
      unsubscribed: 1,
      complained: 1,
    });

    // The next wave (another survey, so no skip window is involved) emails only Cai.
    const next = await publishedSurvey('Next pulse', domain);
    expect((await sendWave(next)).counts).toMatchObject({ selected: 1, sent: 1 });
    expect((await outbox({ to: ann })).filter((e) => tokenOf(e).startsWith(`${next}.`))).toEqual([]);
    expect((await outbox({ to: bob })).filter((e) => tokenOf(e).startsWith(`${next}.`))).toEqual([]);
    expect((await outbox({ to: cai })).filter((e) => tokenOf(e).startsWith(`${next}.`))).toHaveLength(1);

    // Nothing an admin reads names who gave the answers.
    const ids = [ann, bob].map((email) => contactIdFor(email));
    const names = ['Annika', 'Bobby', ann, bob, ...ids];
    const responses = await api<{ responses: Record<string, unknown>[] }>(
      `/api/surveys/${surveyId}/responses`,
    );
    expect(responses.json.responses.map((r) => r.score).sort()).toEqual([10, 3]);
    expect(responses.json.responses.every((r) => r.contactId === undefined)).toBe(true);
    const csv = await api(`/api/surveys/${surveyId}/responses?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('onboarding hurt');
    const browser = await signedIn();
    const feed = await browser.get(`/admin/surveys/${surveyId}`);
    expect(feed.text).toContain('onboarding hurt');
    for (const text of [responses.text, csv.text, feed.text]) {
      for (const name of [...names, 'anon_']) expect(text).not.toContain(name);
    }
    for (const [email, id] of [
      [ann, ids[0]],
      [bob, ids[1]],
    ] as const) {
      const contact = await api(`/api/contacts/${id}`);
      expect(contact.status, email).toBe(200);
      const page = await browser.get(`/admin/contacts/${id}`);
      expect(page.status).toBe(200);
      // The invitation is there, never as answered, and without the answer.
      expect(page.text).toContain('Sent, not answered');
      for (const text of [contact.text, page.text]) {
        for (const said of ['onboarding hurt', 'loves it', 'Answered']) expect(text).not.toContain(said);
      }
    }
  });
});

describe('erasure', () => {
  const domain = `erase-${run}.test`;
  const eve = `eve@${domain}`;
  const fay = `fay@${domain}`;

  it('leaves nothing of the contact: anonymous answers, failure reasons, sample candidates', async () => {
    await addContacts([
      { email: eve, name: 'Evangeline Gone' },
      { email: fay, name: 'Fay Stays' },
    ]);
    // A fixed-count sample keeps every eligible contact as a candidate; an anonymous survey seals.
    const sampled = await publishedSurvey('Sampled anonymous', domain, {
      anonymous: true,
      audience: { where: [{ field: 'email', endsWith: domain }], sample: { count: 2 } },
    });
    const sampledWave = await sendWave(sampled);
    expect(sampledWave.counts).toMatchObject({ selected: 2, sent: 2 });
    const plain = await publishedSurvey('Plain', domain);
    const plainWave = await sendWave(plain);
    const anonymousToken = (await tokensOf(sampled, [eve])).get(eve) as string;
    await answer(anonymousToken, 'score=4&comment=Evangeline+writes+this');
    await advanceClock(0);
    // SES's answer for a recipient names the address (as SES's error messages do).
    const plainToken = (await tokensOf(plain, [eve])).get(eve) as string;
    const client = documentClient();
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName('invitations'),
          Key: { token: plainToken },
          UpdateExpression: 'SET failureReason = :r',
          ExpressionAttributeValues: { ':r': `MessageRejected: Email address is not verified: ${eve}` },
        }),
      );
    } finally {
      client.destroy();
    }

    const id = contactIdFor(eve);
    expect((await api(`/api/contacts/${id}`, { method: 'DELETE' })).status).toBe(204);

    const traces = [id, eve, 'Evangeline'];
    const items = [...(await invitationItems(sampledWave.id)), ...(await invitationItems(plainWave.id))];
    expect(items).toHaveLength(4);
    const candidates = await systemItems(`SAMPLE#${sampledWave.id}`);
    // Fay stays a candidate (she is not erased): the query does find candidates.
    expect(candidates.map((c) => (c.contact as { email: string }).email)).toEqual([fay]);
    for (const item of [...items, ...candidates]) {
      const text = JSON.stringify(item);
      for (const trace of traces) expect(text).not.toContain(trace);
    }
    // Eve's two invitations: erased stand-ins, no sealed id, and no comment or reason left.
    const eves = items.filter((i) => i.erased === true);
    expect(eves.map((i) => i.token).sort()).toEqual([anonymousToken, plainToken].sort());
    for (const item of eves) {
      expect(String(item.contactId)).toMatch(/^erased_/);
      expect(item).not.toHaveProperty('sealedContactId');
      expect(item).not.toHaveProperty('comment');
      expect(item).not.toHaveProperty('failureReason');
    }
    // The anonymous score is still counted.
    const score = await apiOk<{ responses: number }>(`/api/surveys/${sampled}/score?wave=${sampledWave.id}`);
    expect(score.responses).toBe(1);
  });
});

async function systemItems(pk: string): Promise<Record<string, unknown>[]> {
  const client = documentClient();
  try {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName('system'),
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': pk },
      }),
    );
    return page.Items ?? [];
  } finally {
    client.destroy();
  }
}
