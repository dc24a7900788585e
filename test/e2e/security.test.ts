/**
 * The public pages' security: the response headers of every page (a strict CSP with a fresh nonce
 * and no 'unsafe-inline' for scripts, no Referer for the token in the URL, no sniffing, no caching),
 * cross-site form posts refused without recording anything, and a comment full of HTML and script
 * shown back as text on the edit page, with no script run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ApiAnswer,
  type Contact,
  desktop,
  type E2E,
  type EmailLinks,
  emailLinks,
  expectStatus,
  foreignRequests,
  openPage,
  pathOf,
  type Score,
  type Seeded,
  seedNpsWave,
  startE2E,
  type Wave,
  waitForScore,
} from './support.ts';

let e2e: E2E;
let seeded: Seeded;
let linkSurveyId: string;
const links: Record<'headers' | 'csrf' | 'xss' | 'unsubscribe', EmailLinks> = {} as never;

const contacts = {
  headers: { email: 'sec-headers@example.com', locale: 'en' },
  csrf: { email: 'sec-csrf@example.com', locale: 'en' },
  xss: { email: 'sec-xss@example.com', locale: 'en' },
  unsubscribe: { email: 'sec-unsub@example.com', locale: 'sv' },
} as const;

beforeAll(async () => {
  e2e = await startE2E('security');
  seeded = await seedNpsWave(e2e, Object.values(contacts), { followUp: { detractor: 'What went wrong?' } });
  for (const [key, contact] of Object.entries(contacts)) {
    const email = seeded.emails.get(contact.email);
    if (!email) throw new Error(`no invitation email to ${contact.email}`);
    links[key as keyof typeof links] = emailLinks(email, e2e.url);
  }
  const linkSurvey = expectStatus(
    await e2e.api<{ id: string }>('/api/surveys', {
      body: { kind: 'csat', name: 'Link CSAT', companyName: 'Acme', link: { enabled: true } },
    }),
    201,
    'create link survey',
  );
  linkSurveyId = linkSurvey.id;
  expectStatus(await e2e.api(`/api/surveys/${linkSurveyId}/publish`, { method: 'POST' }), 200, 'publish');
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
}, 60_000);

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
});

/** The directives of a Content-Security-Policy header, by name. */
function cspDirectives(csp: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** The headers every public page must carry; answers the CSP's script nonce. */
function expectPageHeaders(page: string, answer: ApiAnswer<unknown>): string | undefined {
  const h = answer.headers;
  expect(h.get('content-type'), `${page}: content-type`).toMatch(/^text\/html;\s*charset=utf-8$/i);
  const csp = h.get('content-security-policy');
  expect(csp, `${page}: Content-Security-Policy`).toBeTruthy();
  const directives = cspDirectives(csp ?? '');
  const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
  expect(scriptSrc, `${page}: CSP without script-src or default-src: ${csp}`).toBeDefined();
  for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:', 'data:']) {
    expect(scriptSrc, `${page}: script-src allows ${unsafe}: ${csp}`).not.toContain(unsafe);
  }
  expect(directives.get('default-src'), `${page}: default-src`).toEqual(["'none'"]);
  expect(directives.get('form-action'), `${page}: form-action`).toEqual(["'self'"]);
  expect(directives.get('frame-ancestors'), `${page}: frame-ancestors`).toEqual(["'none'"]);
  expect(h.get('referrer-policy'), `${page}: Referrer-Policy`).toBe('no-referrer');
  expect(h.get('x-content-type-options'), `${page}: X-Content-Type-Options`).toBe('nosniff');
  expect(h.get('cache-control'), `${page}: Cache-Control`).toMatch(/(^|,\s*)no-store(\s*,|$)/);
  // A script in the page runs only with the response's own nonce.
  const nonce = scriptSrc?.find((s) => s.startsWith("'nonce-"))?.slice("'nonce-".length, -1);
  for (const [, attrs] of answer.text.matchAll(/<script\b([^>]*)>/gi)) {
    expect(attrs, `${page}: a script without this response's nonce`).toContain(`nonce="${nonce}"`);
  }
  return nonce;
}

const score = async (): Promise<Score> =>
  expectStatus(await e2e.api<Score>(`/api/surveys/${seeded.surveyId}/score`), 200, 'read score');
const wave = async (): Promise<Wave> =>
  expectStatus(await e2e.api<Wave>(`/api/waves/${seeded.waveId}`), 200, 'read wave');
const contact = async (email: string): Promise<Contact> =>
  expectStatus(
    await e2e.api<Contact>(`/api/contacts?email=${encodeURIComponent(email)}`),
    200,
    'read contact',
  );

describe('security headers', () => {
  test('on every public page, with a fresh nonce per response', async () => {
    const { token } = links.headers;
    const own = { origin: e2e.url };
    const [surveyId, secret = ''] = token.split('.');
    const unknown = `${surveyId}.${'B'.repeat(secret.length)}`;
    const pages: [string, string, ReturnType<typeof form> | undefined, number][] = [
      ['response page', `/r/${token}`, undefined, 200],
      ['response page with a score', `/r/${token}?score=9`, undefined, 200],
      ['400 page (score off the scale)', `/r/${token}`, form({ score: '11' }, own), 400],
      ['400 page (no score)', `/r/${token}`, form({ comment: 'hi' }, own), 400],
      [
        '403 page (cross-site post)',
        `/r/${token}`,
        form({ score: '5' }, { origin: 'https://evil.example' }),
        403,
      ],
      ['thank-you page', `/r/${token}`, form({ score: '9', comment: 'Fine.' }, own), 200],
      ['edit page', `/r/${token}`, undefined, 200],
      ['404 page (unknown token)', `/r/${unknown}`, undefined, 404],
      ['404 page (malformed token)', '/r/..%2F..%2Fetc', undefined, 404],
      ['unsubscribe page', `/u/${links.unsubscribe.token}`, undefined, 200],
      ['unsubscribed page', `/u/${links.unsubscribe.token}`, form({ 'List-Unsubscribe': 'One-Click' }), 200],
      ['link survey page', `/l/${linkSurveyId}`, undefined, 200],
      ['link survey thank-you page', `/l/${linkSurveyId}`, form({ score: '4' }, own), 200],
    ];
    for (const [page, path, init, status] of pages) {
      const answer = await e2e.fetchPublic(path, init);
      expect(answer.status, `${page}: ${answer.text.slice(0, 300)}`).toBe(status);
      expectPageHeaders(page, answer);
    }

    // A nonce that repeats protects nothing.
    const nonces = new Set<string | undefined>();
    for (let i = 0; i < 3; i++)
      nonces.add(expectPageHeaders('response page', await e2e.fetchPublic(`/r/${token}`)));
    expect(nonces.size).toBe(3);
    expect([...nonces].every((n) => n !== undefined && n.length >= 16)).toBe(true);

    // The honeypot is not a page, but must not be cached either.
    const honeypot = await e2e.fetchPublic(pathOf(links.headers.honeypot));
    expect(honeypot.status).toBe(204);
    expect(honeypot.headers.get('cache-control')).toMatch(/no-store/);
  });
});

describe('cross-site form posts', () => {
  test('are refused with 403 and record nothing', async () => {
    const path = `/r/${links.csrf.token}`;
    const before = { score: await score(), responded: (await wave()).counts.responded };
    const attempts: [string, Record<string, string>][] = [
      ['Origin: https://evil.example', { origin: 'https://evil.example' }],
      ['Origin of another port', { origin: 'http://127.0.0.1:1' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ];
    for (const [what, headers] of attempts) {
      const answer = await e2e.fetchPublic(path, form({ score: '0', comment: 'forged' }, headers));
      expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBe(403);
      expect(answer.text, what).not.toContain('forged');
    }

    // The real thing: a page on another site whose form posts to the response page, in Chromium.
    const context = await e2e.browser.newContext(desktop);
    try {
      await context.route('http://evil.example/**', (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><title>win a prize</title><form method="post" action="${e2e.url}${path}"><input name="score" value="0"><input name="comment" value="forged"><button>Claim</button></form>`,
        }),
      );
      const page = await context.newPage();
      await page.goto('http://evil.example/');
      const [posted] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.locator('button').click(),
      ]);
      expect(posted.request().headers().origin).toBe('http://evil.example');
      expect(posted.status()).toBe(403);
    } finally {
      await context.close();
    }

    // Nothing was recorded: not in the score, not on the wave, not on the contact, not on the page.
    const after = await waitForScore(e2e, seeded.surveyId, () => true);
    expect(after.responses).toBe(before.score.responses);
    expect(after.distribution).toEqual(before.score.distribution);
    expect((await wave()).counts.responded).toBe(before.responded);
    expect((await contact(contacts.csrf.email)).feedback?.nps?.lastRating).toBeUndefined();
    const page = await e2e.fetchPublic(path);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/\schecked[\s>]/);
    expect(page.text).not.toContain('forged');

    // The same post from the page's own origin is accepted: the refusal above is about the origin.
    const own = await e2e.fetchPublic(path, form({ score: '0', comment: 'real' }, { origin: e2e.url }));
    expect(own.status, own.text.slice(0, 300)).toBe(200);
    await waitForScore(
      e2e,
      seeded.surveyId,
      (s) => s.responses === before.score.responses + 1,
      'the real answer',
    );
  });
});

describe('a comment with HTML and script in it', () => {
  test('is shown escaped on the edit page, and no script runs', async () => {
    const comment = [
      '</textarea><script>alert("script")</script>',
      '<img src=x onerror="alert(\'img\')">',
      '<svg onload=alert(1)>',
      '"\'><b>bold</b> &amp; &lt;ok&gt;',
    ].join('\n');
    const { page, recorder, close } = await openPage(e2e.browser, desktop);
    try {
      const path = `/r/${links.xss.token}`;
      await page.goto(`${e2e.url}${path}?score=2`);
      await page.locator('textarea#comment').fill(comment);
      const [posted] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.locator('form button[type=submit]').click(),
      ]);
      expect(posted.status()).toBe(200);
      await page.waitForLoadState('load');

      await page.goto(`${e2e.url}${path}`);
      expect(await page.locator('textarea#comment').inputValue()).toBe(comment);
      // Only the page's own script and elements: nothing from the comment became markup.
      expect(await page.evaluate(() => document.scripts.length)).toBe(1);
      expect(await page.locator('main img, main svg, main b, body > script:not([nonce])').count()).toBe(0);
      expect(await page.locator('textarea').count()).toBe(1);
      await page.waitForTimeout(300);
      expect(recorder.dialogs).toEqual([]);
      expect(recorder.requests.filter((u) => /\/x$/.test(u))).toEqual([]);
      expect(foreignRequests(recorder, e2e.url)).toEqual([]);
      // The raw HTML has the comment only as text inside the textarea.
      const html = await (await e2e.fetchPublic(path)).text;
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;/textarea&gt;&lt;script&gt;');
    } finally {
      await close();
    }

    // The comment is stored as typed.
    const saved = await waitForScore(e2e, seeded.surveyId, (s) => (s.distribution['2'] ?? 0) >= 1, 'the 2');
    expect(saved.distribution['2']).toBe(1);
    expect((await contact(contacts.xss.email)).feedback?.nps?.lastComment).toBe(comment);
  });
});

// Last: moves the stack's clock past the wave's window.
describe('after the wave has closed', () => {
  test('the 410 page carries the same headers, and a late answer records nothing', async () => {
    const before = await score();
    const moved = await fetch(`${e2e.url}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 15 * 86_400 }),
    });
    expect(moved.status, await moved.clone().text()).toBe(200);
    const path = `/r/${links.csrf.token}`;
    const shown = await e2e.fetchPublic(`${path}?score=9`);
    expect(shown.status).toBe(410);
    expectPageHeaders('410 page', shown);
    const late = await e2e.fetchPublic(path, form({ score: '10' }, { origin: e2e.url }));
    expect(late.status).toBe(410);
    expectPageHeaders('410 page (post)', late);
    const after = await score();
    expect(after.responses).toBe(before.responses);
    expect(after.distribution).toEqual(before.distribution);
  });
});
