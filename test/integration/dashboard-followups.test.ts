/**
 * The dashboard's follow-ups over HTTP against the shared local stack: real answers (a wave, its
 * emails, answers posted on the public page), with their answer references and follow-ups written
 * into the alerts table as the alert function writes them (responseRefItem, followUpWrite). Then the
 * list (overdue first, said in words), the overview's card, the answer's page and its forms (a close
 * without a note refused on the server, with the reason on the page), the contact's page, and a 404
 * for an unknown reference.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { followUpIdFor, followUpKey, followUpWrite } from '../../shared/alert/followups.ts';
import { responseRef, responseRefItem } from '../../shared/alert/response-ref.ts';
import type { FollowUp } from '../../shared/alert/schema.ts';
import type { StoredAlertRule } from '../../shared/survey/schema.ts';
import { signedIn } from './setup/dashboard.ts';
import { advanceClock, apiOk, documentClient, outbox, stack } from './setup/helpers.ts';

const alertsTable = 'npswave-alerts';
const domain = `fu-${Date.now()}.test`;
const xss = '<script>alert(1)</script>';
const db = documentClient();

let surveyId = '';
const people: { email: string; id: string; token: string; ref: string }[] = [];
const ids = { late: '', soon: '', anonymous: '' };

async function waitForWave(waveId: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await apiOk<{ status: string }>(`/api/waves/${waveId}`)).status !== 'sending') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wave ${waveId} never finished sending`);
}

const rule = (dueInHours: number, assignee?: string) =>
  ({
    id: 'rule_test',
    when: { segment: 'detractor' },
    email: [],
    followUp: { dueInHours, ...(assignee && { assignee }) },
  }) as unknown as StoredAlertRule;

/** Opens a follow-up for an answer at `at`, as the alert function does, with the answer's reference. */
async function openFollowUp(
  person: (typeof people)[number],
  score: number,
  comment: string,
  at: string,
  r: StoredAlertRule,
  named = true,
): Promise<string> {
  const answer = {
    surveyId,
    surveyName: `Follow ${xss}`,
    token: person.token,
    ref: person.ref,
    responseUrl: `${stack().url}/admin/responses/${person.ref}`,
    ...(named && { contactId: person.id, contactEmail: person.email, contactName: `Ann ${xss}` }),
    score,
    segment: score <= 6 ? ('detractor' as const) : ('passive' as const),
    comment,
  };
  const update = followUpWrite(r, answer, undefined, at).Update as unknown as UpdateCommand['input'];
  await db.send(new UpdateCommand({ ...update, TableName: alertsTable }));
  await db.send(new PutCommand({ TableName: alertsTable, Item: responseRefItem(person.token, surveyId) }));
  return followUpIdFor(surveyId, named ? person.id : undefined, person.token);
}

const readFollowUp = async (id: string) =>
  (await db.send(new GetCommand({ TableName: alertsTable, Key: followUpKey(id), ConsistentRead: true })))
    .Item as FollowUp | undefined;

/** The row of a follow-up in the list (its <tr>), or undefined. */
const rowOf = (page: string, id: string): string | undefined =>
  new RegExp(`<tr data-followup="${id}"[\\s\\S]*?</tr>`).exec(page)?.[0];

beforeAll(async () => {
  const contacts = Array.from({ length: 3 }, (_, i) => ({ email: `f${i}@${domain}`, name: `Person ${i}` }));
  await apiOk('/api/contacts', { body: { contacts } });
  const survey = await apiOk<{ id: string }>('/api/surveys', {
    body: {
      kind: 'nps',
      name: `Follow ${xss}`,
      companyName: 'Acme',
      audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
    },
  });
  surveyId = survey.id;
  await apiOk(`/api/surveys/${surveyId}/publish`, { method: 'POST' });
  const { waveId } = await apiOk<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' });
  await waitForWave(waveId);
  for (const { email } of contacts) {
    const id = (await apiOk<{ id: string }>(`/api/contacts?email=${encodeURIComponent(email)}`)).id;
    const mail = (await outbox({ to: email })).find((e) => e.body.html?.includes(`/r/${surveyId}.`));
    const token = /\/r\/([^"?]+)\?score=/.exec(mail?.body.html ?? '')?.[1] ?? '';
    expect(token).not.toBe('');
    people.push({ email, id, token, ref: responseRef(token) });
  }
  const answers: [number, string][] = [
    [2, `Too slow ${xss}`],
    [6, 'Okay, I guess'],
    [4, 'Meh'],
  ];
  for (const [i, [score, comment]] of answers.entries()) {
    const r = await fetch(`${stack().url}/r/${people[i]?.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ score: String(score), comment }).toString(),
    });
    expect(r.status).toBe(200);
  }
  const now = (await advanceClock(0)).getTime();
  const [p0, p1, p2] = people as [(typeof people)[number], (typeof people)[number], (typeof people)[number]];
  // Due ten years ago, so that it is the longest overdue whatever other files left open. Due in
  // two days: not overdue.
  const tenYears = 3650 * 24 * 3_600_000;
  ids.late = await openFollowUp(
    p0,
    2,
    `Too slow ${xss}`,
    new Date(now - tenYears - 24 * 3_600_000).toISOString(),
    rule(24, 'kim@example.test'),
  );
  ids.soon = await openFollowUp(p1, 6, 'Okay, I guess', new Date(now).toISOString(), rule(48));
  ids.anonymous = await openFollowUp(p2, 4, 'Meh', new Date(now - 3_600_000).toISOString(), rule(47), false);
}, 120_000);

describe('the follow-ups list', () => {
  it('shows open follow-ups, the overdue first and marked in words, each linking to its answer', async () => {
    const b = await signedIn();
    const page = await b.get(`/admin/followups?survey=${surveyId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<caption class="sr-only">Open follow-ups, the overdue first</caption>');
    expect(page.text).toContain(`href="/admin/followups?survey=${surveyId}" aria-current="page"`);
    const late = rowOf(page.text, ids.late) ?? '';
    const soon = rowOf(page.text, ids.soon) ?? '';
    const anonymous = rowOf(page.text, ids.anonymous) ?? '';
    expect(page.text.indexOf(late)).toBeLessThan(page.text.indexOf(soon));
    expect(late).toContain('data-overdue="true"');
    expect(late).toMatch(/>Overdue</);
    expect(late).toContain('3,650 days ago');
    expect(late).toContain('kim@example.test');
    expect(late).toContain(`href="/admin/contacts/${people[0]?.id}"`);
    expect(late).toContain(`href="/admin/responses/${people[0]?.ref}"`);
    expect(late).toContain('Detractor');
    expect(soon).not.toContain('Overdue');
    expect(soon).toContain('in 2 days');
    expect(soon).toContain('nobody yet');
    expect(anonymous).toContain('anonymous');
    // Names and comments are text, never markup.
    expect(page.text).not.toContain(xss);
    expect(late).toContain('Too slow &lt;script&gt;');
  });

  it('filters by survey, speaks Swedish to a Swedish browser, and shows no closed ones in the open view', async () => {
    const b = await signedIn();
    const ofSurvey = await b.get(`/admin/followups?survey=${surveyId}`);
    const rows = [...ofSurvey.text.matchAll(/<tr data-followup="([^"]+)"/g)].map((m) => m[1]);
    expect(rows.sort()).toEqual([ids.late, ids.soon, ids.anonymous].sort());
    const sv = await b.get(`/admin/followups?survey=${surveyId}`, { 'accept-language': 'sv-SE' });
    expect(rowOf(sv.text, ids.late)).toMatch(/>Försenad</);
    const closed = await b.get(`/admin/followups?status=closed&survey=${surveyId}`);
    expect(closed.status).toBe(200);
    expect(rowOf(closed.text, ids.late)).toBeUndefined();
  });

  it('puts an open follow-ups card on the overview with the overdue ones linked', async () => {
    const b = await signedIn();
    const page = await b.get('/admin');
    expect(page.status).toBe(200);
    const card =
      /<section class="card" aria-labelledby="followups-h">[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
    expect(card).toContain('Open follow-ups');
    expect(card).toMatch(/\d+\+? open/);
    expect(card).toMatch(/\d+\+? overdue/);
    expect(card).toContain(`href="/admin/responses/${people[0]?.ref}"`);
    expect(card).not.toContain(`href="/admin/responses/${people[1]?.ref}"`);
    expect(card).toContain('href="/admin/followups"');
    expect(page.text).toContain('href="/admin/followups">Follow-ups</a>');
  });
});

describe("an answer's page", () => {
  it('shows the answer and its follow-up with the forms', async () => {
    const b = await signedIn();
    const page = await b.get(`/admin/responses/${people[0]?.ref}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Answer to Follow &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(page.text).toContain(`href="/admin/surveys/${surveyId}"`);
    expect(page.text).toContain(`href="/admin/contacts/${people[0]?.id}"`);
    expect(page.text).toContain('<blockquote>Too slow &lt;script&gt;alert(1)&lt;/script&gt;</blockquote>');
    expect(page.text).toMatch(/<dt>Score<\/dt><dd>.*>2<.*Detractor/);
    expect(page.text).toMatch(/<strong class="badge st-unpublished overdue">Overdue<\/strong>/);
    expect(page.text).toContain(`action="/admin/followups/${ids.late}"`);
    expect(page.text).toMatch(/<textarea id="fu-note" name="note" required/);
    expect(page.text).toContain('<label for="fu-note">What was done (required)</label>');
    expect(page.text).toMatch(/name="csrf" value="[^"]+"/);
    expect(page.text).not.toContain(xss);
  });

  it('answers 404 for a reference it does not know', async () => {
    const b = await signedIn();
    for (const ref of [`r_${'a'.repeat(24)}`, 'not-a-ref']) {
      const page = await b.get(`/admin/responses/${ref}`);
      expect(page.status, ref).toBe(404);
      expect(page.text, ref).toContain('Not found');
    }
  });

  it('refuses to close without a note, saying why on the page, and closes with one', async () => {
    const b = await signedIn();
    const ref = people[0]?.ref ?? '';
    await b.get(`/admin/responses/${ref}`);
    // The browser would not send an empty required field; the server refuses it all the same.
    const refused = await b.post(`/admin/followups/${ids.late}`, { action: 'close', note: '  ', ref });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(
      'role="alert">The follow-up was not closed: write a note saying what was done.',
    );
    expect((await readFollowUp(ids.late))?.status).toBe('open');

    const closed = await b.post(`/admin/followups/${ids.late}`, {
      action: 'close',
      note: `Called ${xss}`,
      ref,
    });
    expect(closed.status).toBe(303);
    expect(closed.headers.get('location')).toBe(`/admin/responses/${ref}?done=closed#followup`);
    const stored = await readFollowUp(ids.late);
    expect(stored?.status).toBe('closed');
    expect(stored?.note).toBe(`Called ${xss}`);
    const after = await b.get(`/admin/responses/${ref}?done=closed`);
    expect(after.text).toContain('role="status">The follow-up is closed.');
    expect(after.text).toContain('<blockquote>Called &lt;script&gt;alert(1)&lt;/script&gt;</blockquote>');
    expect(after.text).toContain('Reopen the follow-up');
    expect(after.text).not.toContain('Overdue');

    const open = await b.get(`/admin/followups?survey=${surveyId}`);
    expect(rowOf(open.text, ids.late)).toBeUndefined();
    const closedList = await b.get(`/admin/followups?status=closed&survey=${surveyId}`);
    expect(closedList.text).toContain('Closed follow-ups, the most recently closed first');
    expect(rowOf(closedList.text, ids.late)).toContain('Called &lt;script&gt;');
  });

  it('reassigns, changes the due time (UTC), refuses a time that is none, and reopens', async () => {
    const b = await signedIn();
    const ref = people[1]?.ref ?? '';
    await b.get(`/admin/responses/${ref}`);
    const saved = await b.post(`/admin/followups/${ids.soon}`, {
      action: 'update',
      assignee: ' lee@example.test ',
      dueAt: '2030-01-02T03:04',
      ref,
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/admin/responses/${ref}?done=updated#followup`);
    let stored = await readFollowUp(ids.soon);
    expect(stored?.assignee).toBe('lee@example.test');
    expect(stored?.dueAt).toBe('2030-01-02T03:04:00.000Z');

    const page = await b.get(`/admin/responses/${ref}?done=updated`);
    expect(page.text).toContain('value="2030-01-02T03:04"');
    expect(page.text).toContain('Assigned to lee@example.test');
    const bad = await b.post(`/admin/followups/${ids.soon}`, {
      action: 'update',
      assignee: 'x',
      dueAt: 'soon',
      ref,
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Nothing was saved. Please correct: dueAt');
    // The refused form comes back as posted.
    expect(bad.text).toContain('value="soon"');
    expect((await readFollowUp(ids.soon))?.assignee).toBe('lee@example.test');

    await b.get(`/admin/responses/${ref}`);
    const noOne = await b.post(`/admin/followups/${ids.soon}`, {
      action: 'update',
      assignee: '',
      dueAt: '2030-01-02T03:04',
      ref,
    });
    expect(noOne.status).toBe(303);
    expect((await readFollowUp(ids.soon))?.assignee).toBeUndefined();

    await b.get(`/admin/responses/${ref}`);
    expect(
      (await b.post(`/admin/followups/${ids.soon}`, { action: 'close', note: 'Sent a voucher', ref })).status,
    ).toBe(303);
    await b.get(`/admin/responses/${ref}`);
    const reopened = await b.post(`/admin/followups/${ids.soon}`, { action: 'reopen', note: '', ref });
    expect(reopened.headers.get('location')).toBe(`/admin/responses/${ref}?done=reopened#followup`);
    stored = await readFollowUp(ids.soon);
    expect(stored?.status).toBe('open');
    expect(stored?.history.map((h) => h.action)).toEqual([
      'opened',
      'assigned',
      'assigned',
      'closed',
      'reopened',
    ]);
  });

  it('refuses a follow-up form without the CSRF token, and one for a follow-up that does not exist', async () => {
    const b = await signedIn();
    const ref = people[1]?.ref ?? '';
    await b.get(`/admin/responses/${ref}`);
    const forged = await b.post(
      `/admin/followups/${ids.soon}`,
      { action: 'close', note: 'x', ref },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    expect((await readFollowUp(ids.soon))?.status).toBe('open');
    const missing = await b.post('/admin/followups/fu_00000000000000000000', { action: 'reopen', ref });
    expect(missing.status).toBe(404);
  });
});

describe("a contact's page", () => {
  it("lists the contact's follow-ups with a link to each answer", async () => {
    const b = await signedIn();
    const page = await b.get(`/admin/contacts/${people[0]?.id}`);
    expect(page.status).toBe(200);
    const section =
      /<section class="card" aria-labelledby="followups-h">[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
    expect(section).toContain('<h2 id="followups-h">Follow-ups</h2>');
    expect(section).toContain(`data-followup="${ids.late}"`);
    expect(section).toContain(`href="/admin/responses/${people[0]?.ref}"`);
    expect(section).toContain('Closed');
    const other = await b.get(`/admin/contacts/${people[2]?.id}`);
    // The anonymous one names nobody, so it is on no contact's page.
    expect(other.text).not.toContain('aria-labelledby="followups-h"');
  });
});
