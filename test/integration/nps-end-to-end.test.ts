/**
 * One NPS survey end to end over HTTP, as CONTRACT.md defines it: contact → survey → publish →
 * wave → the email in the SES stand-in → the page (a GET records nothing) → the POST records →
 * the score. Each step also refuses bad input with a clear error.
 */
import { describe, expect, it } from 'vitest';
import { advanceClock, api, outbox } from './setup/helpers.ts';

const domain = `e2e-${Date.now()}.test`;
const email = `ann@${domain}`;

async function waitForWave(waveId: string): Promise<{ status: string; counts: Record<string, number> }> {
  for (let i = 0; i < 100; i++) {
    const wave = await api<{ status: string; counts: Record<string, number> }>(`/api/waves/${waveId}`);
    if (wave.json.status !== 'sending') return wave.json;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wave ${waveId} never finished sending`);
}

describe('one NPS survey, end to end', () => {
  let surveyId = '';
  let waveId = '';
  let token = '';

  it('creates a contact (and refuses a bad one with a JSON error)', async () => {
    const bad = await api<{ error: { code: string; message: string } }>('/api/contacts', {
      body: { email: 'not-an-email' },
    });
    expect(bad.status).toBe(200);
    expect(bad.json).toMatchObject({ created: 0, updated: 0, errors: [{ index: 0 }] });
    const created = await api('/api/contacts', { body: { email, name: 'Ann', locale: 'en' } });
    expect(created.json).toEqual({ created: 1, updated: 0, errors: [] });
    const again = await api('/api/contacts', { body: { email: email.toUpperCase(), name: 'Ann B' } });
    expect(again.json).toEqual({ created: 0, updated: 1, errors: [] });
    const notJson = await api<{ error: { code: string } }>('/api/contacts', {
      body: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe('bad_request');
  });

  it('creates an NPS survey as a draft (and refuses a bad one)', async () => {
    const bad = await api<{ error: { message: string } }>('/api/surveys', {
      body: { kind: 'nps', name: 'x', scale: { min: 1, max: 5 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('NPS is always 0–10');
    const missing = await api('/api/surveys', { body: { name: 'no kind' } });
    expect(missing.status).toBe(400);
    const created = await api<{ id: string; state: string; kind: string }>('/api/surveys', {
      body: {
        kind: 'nps',
        name: 'Q4 NPS',
        companyName: 'Acme',
        audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ state: 'draft', kind: 'nps' });
    surveyId = created.json.id;
  });

  it('refuses a wave before publishing, then publishes and starts one', async () => {
    expect((await api(`/api/surveys/${surveyId}/waves`, { method: 'POST' })).status).toBe(409);
    const published = await api<{ state: string }>(`/api/surveys/${surveyId}/publish`, { method: 'POST' });
    expect(published.json.state).toBe('published');
    const started = await api<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' });
    expect(started.status).toBe(202);
    waveId = started.json.waveId;
    const wave = await waitForWave(waveId);
    expect(wave.status).toBe('open');
    expect(wave.counts).toMatchObject({ selected: 1, sent: 1, failed: 0 });
    expect((await api('/api/waves/w_aaaaaaaaaaaaaaaa')).status).toBe(404);
  });

  it('puts one email in the SES stand-in with a link per score 0–10 and the unsubscribe headers', async () => {
    const [mail, ...more] = await outbox({ to: email });
    expect(more).toHaveLength(0);
    const links = [...(mail?.body.html ?? '').matchAll(/href="([^"]*\/r\/([^"?]+)\?score=(\d+))"/g)];
    expect(links.map((l) => Number(l[3]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    token = links[0]?.[2] ?? '';
    expect(token.length).toBeGreaterThan(30);
    const headers = Object.fromEntries((mail?.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]));
    expect(headers['list-unsubscribe']).toContain(`/u/${token}`);
    expect(headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail?.body.text).toContain(`/r/${token}?score=10`);
  });

  it('shows the page for ?score=9 and records nothing', async () => {
    const page = await api(`/r/${token}?score=9`, { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toMatch(/value="9"[^>]*checked/);
    await advanceClock(0);
    const score = await api<{ responses: number }>(`/api/surveys/${surveyId}/score`);
    expect(score.json.responses).toBe(0);
  });

  it('refuses bad posts with HTML error pages', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const offScale = await api(`/r/${token}`, { key: null, body: 'score=11', headers: form });
    expect(offScale.status).toBe(400);
    expect(offScale.text).toContain('<html');
    const notNumber = await api(`/r/${token}`, { key: null, body: 'score=nine', headers: form });
    expect(notNumber.status).toBe(400);
    const unknown = await api(`/r/${surveyId}.AAAAAAAAAAAAAAAAAAAAAAAA`, {
      key: null,
      body: 'score=9',
      headers: form,
    });
    expect(unknown.status).toBe(404);
    const malformed = await api('/r/..%2F..%2Fetc', { key: null });
    expect(malformed.status).toBe(404);
    const json = await api(`/r/${token}`, {
      key: null,
      body: '{"score":9}',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(400);
    const crossSite = await api(`/r/${token}`, {
      key: null,
      body: 'score=0',
      headers: { ...form, origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
  });

  it('records score 9 from a POST and scores NPS 100 from one response', async () => {
    const posted = await api(`/r/${token}`, {
      key: null,
      body: 'score=9&comment=Quick+and+friendly',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(posted.status).toBe(200);
    await advanceClock(0);
    const score = await api<Record<string, unknown>>(`/api/surveys/${surveyId}/score`);
    expect(score.json).toMatchObject({ kind: 'nps', nps: 100, responses: 1, promoters: 1, responseRate: 1 });
    const contact = await api<{ feedback: { nps: { lastRating: number; lastComment: string } } }>(
      `/api/contacts?email=${encodeURIComponent(email)}`,
    );
    expect(contact.json.feedback.nps).toMatchObject({ lastRating: 9, lastComment: 'Quick and friendly' });
  });

  it('counts a retried POST once and lets the answer change', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const retried = await api(`/r/${token}`, {
      key: null,
      body: 'score=9&comment=Quick+and+friendly',
      headers: form,
    });
    expect(retried.status).toBe(200);
    const changed = await api(`/r/${token}`, { key: null, body: 'score=3', headers: form });
    expect(changed.status).toBe(200);
    await advanceClock(0);
    const score = await api<Record<string, unknown>>(`/api/surveys/${surveyId}/score`);
    expect(score.json).toMatchObject({ nps: -100, responses: 1, detractors: 1, promoters: 0 });
    const csv = await api(`/api/surveys/${surveyId}/responses?format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.trim().split('\r\n')).toHaveLength(2);
  });
});
