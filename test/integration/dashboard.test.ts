/**
 * The dashboard over HTTP against the shared local stack: sessions (sign-in, cookie attributes,
 * forged, expired, signed-out and revoked sessions), CSRF on every form, the pages' headers, the
 * numbers against the score API, the actions, escaping of hostile text everywhere, and the sign-in
 * rate limit (last: it moves the clock past its window).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAttemptsPerWindow } from '../../functions/api/dashboard/sign-in.ts';
import { routes } from '../../shared/routes.ts';
import { browser, chartTable, signedIn } from './setup/dashboard.ts';
import { advanceClock, api, apiOk, outbox, stack } from './setup/helpers.ts';

const domain = `dash-${Date.now()}.test`;
const xss = '<script>alert(1)</script>';
const xssAttr = '"><img src=x onerror=alert(2)>';

const concrete = (path: string, surveyId: string, contactId: string): string =>
  path.replace('{id}', path.startsWith('/admin/contacts') ? contactId : surveyId);

let surveyId = '';
let contactId = '';
let tokens: string[] = [];

async function waitForWave(waveId: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await apiOk<{ status: string }>(`/api/waves/${waveId}`)).status !== 'sending') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wave ${waveId} never finished sending`);
}

beforeAll(async () => {
  const people = Array.from({ length: 6 }, (_, i) => ({
    email: `p${i}@${domain}`,
    name: i === 0 ? `${xss} Eve` : `Person ${i}`,
    locale: ['en', 'sv', 'zh-CN'][i % 3],
    properties: { plan: i % 2 ? 'pro' : `free${xssAttr}` },
  }));
  await apiOk('/api/contacts', { body: { contacts: people } });
  const survey = await apiOk<{ id: string }>('/api/surveys', {
    body: {
      kind: 'nps',
      name: `Dash ${xss}`,
      companyName: 'Acme',
      reportBy: ['plan'],
      audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
    },
  });
  surveyId = survey.id;
  contactId = (await apiOk<{ id: string }>(`/api/contacts?email=${encodeURIComponent(`p0@${domain}`)}`)).id;
  await apiOk(`/api/surveys/${surveyId}/publish`, { method: 'POST' });
  const { waveId } = await apiOk<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' });
  await waitForWave(waveId);
  const emails = (await outbox()).filter((e) => e.body.html?.includes(`/r/${surveyId}.`));
  tokens = emails.map((e) => /\/r\/([^"?]+)\?score=/.exec(e.body.html ?? '')?.[1] ?? '');
  expect(tokens).toHaveLength(6);
  const answers: [number, string][] = [
    [10, `Love it ${xss}`],
    [9, `Fast ${xssAttr}`],
    [8, 'Fine.'],
    [3, 'Too expensive'],
    [6, ''],
    [0, 'Broken'],
  ];
  for (const [i, [score, comment]] of answers.entries()) {
    const r = await fetch(`${stack().url}/r/${tokens[i]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ score: String(score), comment }).toString(),
    });
    expect(r.status).toBe(200);
  }
  await advanceClock(0);
}, 120_000);

describe('sessions', () => {
  it('answers every dashboard page without a session with the sign-in page', async () => {
    const anonymous = browser();
    const pages = routes.filter((r) => r.auth === 'session');
    expect(pages.length).toBeGreaterThan(10);
    for (const route of pages) {
      const path = concrete(route.path, surveyId, contactId);
      const answer = route.method === 'GET' ? await anonymous.get(path) : await anonymous.post(path, {});
      expect(answer.status, `${route.method} ${route.path}`).toBe(303);
      expect(answer.headers.get('location'), `${route.method} ${route.path}`).toMatch(
        /^\/admin\/sign-in(\?|$)/,
      );
      // No cookie came: nothing "expired"; a GET remembers where it was going.
      expect(answer.headers.get('location')).not.toContain('notice=');
    }
    const signIn = await anonymous.get('/admin/sign-in');
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get('content-type')).toContain('text/html');
    expect(signIn.text).toContain('name="key"');
  });

  it('signs in with the admin key into an HttpOnly, SameSite=Strict cookie (Secure over https)', async () => {
    const b = browser();
    const wrong = await b.post('/admin/sign-in', { key: 'npsw_wrong' }, { csrf: false });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('not valid');
    expect(wrong.text).not.toContain('npsw_wrong');
    const right = await api('/admin/sign-in', {
      key: null,
      body: new URLSearchParams({ key: stack().adminKey, next: '/admin/contacts' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/admin/contacts');
    const cookie = right.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^npsw_session=[A-Za-z0-9_-]{43}\.[0-9a-f]{64}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/admin');
    expect(cookie).not.toContain('Secure');
    const overHttps = await api('/admin/sign-in', {
      key: null,
      body: new URLSearchParams({ key: stack().adminKey }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
    });
    expect(overHttps.headers.getSetCookie()[0]).toContain('; Secure');
    // A next page elsewhere than the dashboard is not followed.
    const away = await api('/admin/sign-in', {
      key: null,
      body: new URLSearchParams({ key: stack().adminKey, next: '//evil.test/x' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(away.headers.get('location')).toBe('/admin');
  });

  it('refuses a forged cookie, and a real session id paired with another key', async () => {
    const b = await signedIn();
    const [id, keyHash] = (b.cookie ?? '').slice('npsw_session='.length).split('.') as [string, string];
    const forged = browser();
    forged.cookie = `npsw_session=${'A'.repeat(43)}.${keyHash}`;
    expect((await forged.get('/admin')).status).toBe(303);
    forged.cookie = `npsw_session=${id}.${'0'.repeat(64)}`;
    expect((await forged.get('/admin')).status).toBe(303);
    forged.cookie = `npsw_session=${id}`;
    expect((await forged.get('/admin')).status).toBe(303);
    forged.cookie = b.cookie;
    expect((await forged.get('/admin')).status).toBe(200);
  });

  it('ends the session on the server at sign-out: the old cookie is refused', async () => {
    const b = await signedIn();
    const old = b.cookie;
    const out = await b.post('/admin/sign-out', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/admin/sign-in?notice=signedOut');
    expect(out.headers.getSetCookie()[0]).toContain('Max-Age=0');
    const replay = browser();
    replay.cookie = old;
    const answer = await replay.get('/admin');
    expect(answer.status).toBe(303);
  });

  it('ends the sessions of a revoked admin key', async () => {
    const created = await apiOk<{ id: string; key: string }>('/api/admin-keys', { body: { label: 'dash' } });
    const b = await signedIn(created.key);
    expect((await b.get('/admin')).status).toBe(200);
    await apiOk(`/api/admin-keys/${created.id}`, { method: 'DELETE' });
    expect((await b.get('/admin')).status).toBe(303);
  });

  it('refuses a post without the CSRF token, with a wrong one, and from another site (403)', async () => {
    const b = await signedIn();
    const path = `/admin/surveys/${surveyId}/publish`;
    expect((await b.post(path, {}, { csrf: false })).status).toBe(403);
    expect((await b.post(path, { csrf: 'x'.repeat(32) }, { csrf: false })).status).toBe(403);
    const crossSite = await b.post(path, {}, { headers: { origin: 'https://evil.test' } });
    expect(crossSite.status).toBe(403);
    expect((await b.post(path, {}, { headers: { origin: 'null' } })).status).toBe(403);
    await b.get('/admin');
    expect((await b.post(path, {})).status).toBe(303);
  });

  it('serves every page with no-store, a strict nonce CSP and no referrer', async () => {
    const b = await signedIn();
    for (const path of [
      '/admin',
      `/admin/surveys/${surveyId}`,
      '/admin/contacts',
      `/admin/contacts/${contactId}`,
      '/admin/sign-in',
    ]) {
      const answer = path === '/admin/sign-in' ? await browser().get(path) : await b.get(path);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get('cache-control'), path).toBe('no-store');
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]{24}'/);
      expect(csp, path).toMatch(/style-src 'sha256-[^']+' 'nonce-/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      // No token is ever in a dashboard URL: same-origin, so that its forms send their Origin.
      expect(answer.headers.get('referrer-policy'), path).toBe('same-origin');
      const nonces = [...answer.text.matchAll(/nonce="([^"]+)"/g)].map((m) => m[1]);
      for (const nonce of nonces) expect(csp, path).toContain(`'nonce-${nonce}'`);
    }
  });
});

describe('the survey page', () => {
  it('shows the score API’s numbers in its charts’ data tables', async () => {
    const b = await signedIn();
    const page = await b.get(`/admin/surveys/${surveyId}`);
    expect(page.status).toBe(200);
    const score = await apiOk<{
      nps: number;
      marginOfError: number;
      responses: number;
      distribution: Record<string, number>;
      waves: { waveId: string; nps: number; responses: number }[];
    }>(`/api/surveys/${surveyId}/score?by=plan`);
    // 2 promoters, 1 passive, 3 detractors of 6.
    expect(score.nps).toBe(-16.7);
    const gauge = chartTable(page.text, 'score-gauge');
    expect([...gauge.values()][0]?.value).toBe(String(score.nps));
    const distribution = chartTable(page.text, 'distribution');
    for (let s = 0; s <= 10; s++)
      expect(distribution.get(String(s))?.count, `score ${s}`).toBe(String(score.distribution[String(s)]));
    const funnel = chartTable(page.text, 'funnel-0');
    expect(funnel.get('selected')?.count).toBe('6');
    expect(funnel.get('responded')?.count).toBe('6');
    const plans = chartTable(page.text, 'segments-0');
    const byPlan = await apiOk<{ segments: Record<string, { nps: number; responses: number }> }>(
      `/api/surveys/${surveyId}/score?by=plan`,
    );
    for (const [value, figures] of Object.entries(byPlan.segments)) {
      const row = plans.get(
        value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
      );
      expect(row?.value, value).toBe(String(figures.nps));
      expect(row?.n, value).toBe(String(figures.responses));
    }
  });

  it('filters the comment feed by segment, score range and text, and pages it', async () => {
    const b = await signedIn();
    const detractors = await b.get(`/admin/surveys/${surveyId}?segment=detractor`);
    const scores = [...detractors.text.matchAll(/<li data-score="(\d+)"/g)].map((m) => Number(m[1]));
    // Detractors with a comment: 3 ("Too expensive") and 0 ("Broken"); 6 left none.
    expect(scores.sort()).toEqual([0, 3]);
    const range = await b.get(`/admin/surveys/${surveyId}?min=8&max=10`);
    expect([...range.text.matchAll(/<li data-score="(\d+)"/g)].map((m) => Number(m[1])).sort()).toEqual(
      [10, 8, 9].sort(),
    );
    const text = await b.get(`/admin/surveys/${surveyId}?q=expensive`);
    expect([...text.text.matchAll(/<li data-score="(\d+)"/g)].map((m) => m[1])).toEqual(['3']);
    const capital = await b.get(`/admin/surveys/${surveyId}?q=EXPENSIVE`);
    expect([...capital.text.matchAll(/<li data-score="(\d+)"/g)].map((m) => m[1])).toEqual(['3']);
  });

  it('shows hostile text escaped everywhere', async () => {
    const b = await signedIn();
    for (const path of [
      '/admin',
      `/admin/surveys/${surveyId}`,
      `/admin/contacts/${contactId}`,
      `/admin/surveys/${surveyId}/edit`,
    ]) {
      const page = await b.get(path);
      expect(page.status, path).toBe(200);
      expect(page.text, path).not.toContain(xss);
      expect(page.text, path).not.toContain('<img src=x');
      expect(page.text, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('publishes, unpublishes, starts a wave after a confirmation, saves an edit, exports CSV', async () => {
    const b = await signedIn();
    const base = `/admin/surveys/${surveyId}`;
    const unpublished = await b.post(`${base}/unpublish`, {});
    expect(unpublished.headers.get('location')).toBe(`${base}?done=unpublished`);
    expect((await apiOk<{ state: string }>(`/api/surveys/${surveyId}`)).state).toBe('unpublished');
    await b.get(base);
    expect((await b.get(`${base}/waves/new`)).status).toBe(409);
    await b.get(base);
    await b.post(`${base}/publish`, {});
    expect((await apiOk<{ state: string }>(`/api/surveys/${surveyId}`)).state).toBe('published');
    const confirm = await b.get(`${base}/waves/new`);
    expect(confirm.status).toBe(200);
    const before = await apiOk<{ waves: unknown[] }>(`/api/surveys/${surveyId}/waves`);
    // The confirmation posted twice (a double click) starts one wave.
    const [started, again] = await Promise.all([b.post(`${base}/waves`, {}), b.post(`${base}/waves`, {})]);
    expect(started.headers.get('location')).toBe(`${base}?done=wave`);
    expect(again.headers.get('location')).toBe(`${base}?done=wave`);
    expect((await apiOk<{ waves: unknown[] }>(`/api/surveys/${surveyId}/waves`)).waves).toHaveLength(
      before.waves.length + 1,
    );
    await b.get(`${base}/waves/new`);
    await b.post(`${base}/waves`, {});
    expect((await apiOk<{ waves: unknown[] }>(`/api/surveys/${surveyId}/waves`)).waves).toHaveLength(
      before.waves.length + 2,
    );

    const edit = await b.get(`${base}/edit`);
    const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(edit.text)?.[1] ?? '';
    const saved = await b.post(`${base}/edit`, {
      updatedAt,
      name: 'Dash renamed',
      companyName: 'Acme',
      subject: 'How are we doing?',
      'locales.sv.subject': 'Hur går det?',
      'followUp.detractor': 'What should we fix first?',
      accentColor: '#0f766e',
      benchmark: 'custom',
      benchmarkBands: '10, 40, our target',
      benchmarkSource: 'our board',
    });
    expect(saved.status).toBe(303);
    // The same form again (a double click): saved once, and it says so rather than "changed meanwhile".
    const twice = await b.post(`${base}/edit`, { updatedAt, name: 'Dash renamed', benchmark: 'default' });
    expect(twice.status).toBe(303);
    expect(twice.headers.get('location')).toBe(`${base}?done=saved`);
    const survey = await apiOk<Record<string, unknown>>(`/api/surveys/${surveyId}`);
    expect(survey).toMatchObject({
      name: 'Dash renamed',
      subject: 'How are we doing?',
      locales: { sv: { subject: 'Hur går det?' } },
      followUp: { detractor: 'What should we fix first?' },
      branding: { accentColor: '#0f766e' },
      benchmark: { bands: [{ from: 10, to: 40, label: 'our target' }], source: 'our board' },
    });
    // The same form again, with the survey changed meanwhile: refused, nothing overwritten.
    await b.get(`${base}/edit`);
    const stale = await b.post(`${base}/edit`, { updatedAt, name: 'Stale', benchmark: 'default' });
    expect(stale.status).toBe(409);
    expect((await apiOk<{ name: string }>(`/api/surveys/${surveyId}`)).name).toBe('Dash renamed');
    const bad = await b.post(`${base}/edit`, {
      updatedAt: String(survey.updatedAt),
      name: 'Dash renamed',
      accentColor: 'red',
      benchmark: 'default',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('accentColor');

    const csv = await b.get(`${base}/responses.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe(
      'waveId,contactId,score,segment,comment,respondedAt,firstRespondedAt',
    );
    expect(csv.text.trim().split('\r\n')).toHaveLength(7);
  });
});

describe('contacts', () => {
  it('finds a contact by email, shows its timeline, and erases it after a confirmation', async () => {
    const b = await signedIn();
    // Which contact gave which answer depends on the order the emails went out: take one that commented.
    type Feedback = { feedback: { nps: { lastRating: number; lastComment?: string } } };
    let email = '';
    for (let i = 1; i < 6 && !email; i++) {
      const c = await apiOk<Feedback>(`/api/contacts?email=${encodeURIComponent(`p${i}@${domain}`)}`);
      if (c.feedback.nps.lastComment) email = `P${i}@${domain}`;
    }
    const found = await b.get(`/admin/contacts?email=${encodeURIComponent(email)}`);
    expect(found.status).toBe(303);
    const id = (found.headers.get('location') ?? '').split('/').pop() ?? '';
    const contact = await apiOk<Feedback>(`/api/contacts/${id}`);
    const shown = (contact.feedback.nps.lastComment ?? '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
    expect(shown).not.toBe('');
    const page = await b.get(`/admin/contacts/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<blockquote>${shown}</blockquote>`);
    expect(page.text).toContain(`Answered ${contact.feedback.nps.lastRating} on`);
    const missing = await b.get(`/admin/contacts?email=nobody%40${domain}`);
    expect(missing.status).toBe(404);
    expect((await b.get(`/admin/contacts/${id}/erase`)).status).toBe(200);
    const erased = await b.post(`/admin/contacts/${id}/erase`, {});
    expect(erased.headers.get('location')).toBe('/admin/contacts?done=erased');
    expect((await api(`/api/contacts/${id}`)).status).toBe(404);
    expect((await b.get(`/admin/contacts/${id}`)).status).toBe(404);
  });
});

describe('sign-in rate limit', () => {
  afterAll(async () => {
    // The limit's window is on the stack's clock: move past it for the files after this one.
    await advanceClock(16 * 60);
  });

  it(`refuses the attempt after ${signInAttemptsPerWindow} in a window with 429`, async () => {
    const b = browser();
    let last = 0;
    for (let i = 0; i <= signInAttemptsPerWindow; i++) {
      last = (await b.post('/admin/sign-in', { key: 'npsw_guess' }, { csrf: false })).status;
      if (last === 429) break;
    }
    expect(last).toBe(429);
  });
});

describe('sessions expire', () => {
  it('sends an expired session back to sign-in', async () => {
    const b = await signedIn();
    await advanceClock(13 * 3600);
    const answer = await b.get(`/admin/surveys/${surveyId}`);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toContain(
      `next=${encodeURIComponent(`/admin/surveys/${surveyId}`)}`,
    );
    expect(answer.headers.get('location')).toContain('notice=expired');
  });
});
