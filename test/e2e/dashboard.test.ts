/**
 * The dashboard in headless Chromium: signing in through the form, every chart present with the
 * numbers the score API gives (read back from each chart's data table), the comment feed's filters
 * (without a reload when JavaScript runs, by a plain GET when it does not) and paging, the actions,
 * the pages in Swedish and Chinese, axe-core's WCAG 2.1 AA rules on every page, and screenshots at
 * 375 px and at desktop width kept in .test-data/screenshots/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dashboardMessages } from '../../shared/dashboard/i18n/messages.ts';
import {
  axeViolations,
  type E2E,
  expectStatus,
  foreignRequests,
  outbox,
  record,
  startE2E,
  waitFor,
  waitForScore,
} from './support.ts';

const shots = resolve(fileURLToPath(new URL('../../.test-data/screenshots', import.meta.url)));
const phone375: BrowserContextOptions = {
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const wide: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const xss = '<script>alert(1)</script>';

let e2e: E2E;
let surveyId = '';
let firstWave = '';
let contactId = '';
/** A detractor's answer (its reference), with its follow-up. */
let responseRef = '';
/** Answers with a comment: 13 of the 20 answers of each of the two waves. */
const comments = 26;

interface ApiScore {
  nps: number;
  responses: number;
  distribution: Record<string, number>;
  segments: Record<string, { nps: number; responses: number }>;
  waves: { waveId: string; nps: number | null; responses: number }[];
}

async function waitForWave(waveId: string): Promise<void> {
  await waitFor(
    `wave ${waveId} to be sent`,
    async () => (await e2e.api<{ status: string }>(`/api/waves/${waveId}`)).json.status,
    (status) => status !== 'sending',
    60_000,
  );
}

/** The tokens of one wave's emails (its links carry the survey's id), newest emails last. */
async function tokensOf(seen: Set<string>): Promise<string[]> {
  const tokens: string[] = [];
  for (const email of await outbox(e2e)) {
    const token = /\/r\/([^"?]+)\?score=/.exec(email.body.html ?? '')?.[1];
    if (token?.startsWith(`${surveyId}.`) && !seen.has(token)) {
      seen.add(token);
      tokens.push(token);
    }
  }
  return tokens;
}

async function answer(token: string, score: number, comment?: string): Promise<void> {
  const posted = await e2e.fetchPublic(`/r/${token}`, {
    method: 'POST',
    body: new URLSearchParams({ score: String(score), ...(comment ? { comment } : {}) }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expectStatus(posted, 200, `answer ${token}`);
}

beforeAll(async () => {
  e2e = await startE2E('dashboard');
  mkdirSync(shots, { recursive: true });
  const people = Array.from({ length: 30 }, (_, i) => ({
    email: `d${i}@dash.example`,
    name: i === 0 ? `${xss} Eve` : `Person ${i}`,
    locale: ['en', 'sv', 'zh-CN', 'zh-TW'][i % 4],
    properties: { plan: ['free', 'pro', 'enterprise'][i % 3], region: i % 2 ? 'EU' : 'NA' },
  }));
  expectStatus(await e2e.api('/api/contacts', { body: { contacts: people } }), 200, 'contacts');
  surveyId = expectStatus(
    await e2e.api<{ id: string }>('/api/surveys', {
      body: {
        kind: 'nps',
        name: 'Quarterly NPS',
        companyName: 'Acme',
        reportBy: ['plan', 'region'],
        audience: { skipIfSurveyedWithinDays: 0 },
        // Every detractor gets a follow-up: the follow-up pages have something to show.
        alerts: [{ when: { segment: 'detractor' }, followUp: { assigneeFrom: 'properties.plan' } }],
      },
    }),
    201,
    'survey',
  ).id;
  expectStatus(await e2e.api(`/api/surveys/${surveyId}/publish`, { method: 'POST' }), 200, 'publish');
  const seen = new Set<string>();
  // Two waves a month apart; the second scores much higher, a change the page must call significant.
  for (const [w, scores] of [
    [0, [0, 2, 3, 5, 6, 6, 7, 8, 9, 10]],
    [1, [9, 10, 10, 9, 10, 8, 10, 9, 10, 7]],
  ] as const) {
    const { waveId } = expectStatus(
      await e2e.api<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' }),
      202,
      'wave',
    );
    if (w === 0) firstWave = waveId;
    await waitForWave(waveId);
    const tokens = await waitFor(
      'the wave’s emails',
      () => tokensOf(seen),
      (t) => t.length === 30,
    );
    for (const [i, token] of tokens.slice(0, 20).entries()) {
      const score = scores[i % scores.length] as number;
      const text =
        i === 0 && w === 0
          ? `Hostile ${xss}`
          : i < 13
            ? `Comment ${w}-${i}: ${score < 7 ? 'too expensive' : 'great support'}`
            : undefined;
      await answer(token, score, text);
    }
    await fetch(`${e2e.url}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 30 * 86_400 }),
    });
  }
  await waitForScore(e2e, surveyId, (s) => s.responses === 40);
  contactId = expectStatus(
    await e2e.api<{ id: string }>('/api/contacts?email=d0%40dash.example'),
    200,
    'contact',
  ).id;
  const { followUps } = await waitFor(
    'the detractors’ follow-ups',
    async () =>
      expectStatus(
        await e2e.api<{ followUps: { invitationId: string }[] }>(`/api/followups?surveyId=${surveyId}`),
        200,
        'follow-ups',
      ),
    (list) => list.followUps.length > 0,
  );
  responseRef = followUps[0]?.invitationId ?? '';
}, 180_000);

afterAll(async () => {
  await e2e?.stop();
}, 60_000);

async function signIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${e2e.url}/admin`);
  expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
  await page.fill('#key', e2e.stack.adminKey);
  await Promise.all([page.waitForURL(`${e2e.url}/admin`), page.locator('form button[type=submit]').click()]);
  return page;
}

/** A chart's data table as rows: key → column → raw value. */
function chartRows(page: Page, chart: string): Promise<Record<string, Record<string, string>>> {
  return page
    .locator(`[data-chart="${chart}"]`)
    .first()
    .evaluate((figure) => {
      const rows: Record<string, Record<string, string>> = {};
      for (const tr of figure.querySelectorAll('tbody tr')) {
        const cells: Record<string, string> = {};
        for (const td of tr.querySelectorAll('td'))
          cells[td.getAttribute('data-col') ?? ''] = td.getAttribute('data-value') ?? '';
        rows[tr.getAttribute('data-key') ?? ''] = cells;
      }
      return rows;
    });
}

describe('the dashboard in a browser', () => {
  test('signs in and shows every chart with the score API’s numbers', async () => {
    const context = await e2e.browser.newContext(wide);
    const page = await signIn(context);
    const recorder = record(page);
    expect(await page.locator(`tr[data-survey="${surveyId}"]`).count()).toBe(1);
    const listed = expectStatus(await e2e.api<ApiScore>(`/api/surveys/${surveyId}/score`), 200, 'score');
    // The overview shows the newest wave that has answers.
    expect(
      await page.locator(`tr[data-survey="${surveyId}"] td[data-value]`).getAttribute('data-value'),
    ).toBe(String(listed.waves.filter((w) => w.responses > 0).at(-1)?.nps));
    await page.locator(`tr[data-survey="${surveyId}"] a`).first().click();
    await page.waitForURL(`${e2e.url}/admin/surveys/${surveyId}`);
    const score = expectStatus(
      await e2e.api<ApiScore>(`/api/surveys/${surveyId}/score?by=plan`),
      200,
      'score',
    );
    expect((await chartRows(page, 'gauge')).score?.value).toBe(String(score.nps));
    const distribution = await chartRows(page, 'distribution');
    for (let s = 0; s <= 10; s++)
      expect(distribution[String(s)]?.count, `score ${s}`).toBe(String(score.distribution[String(s)]));
    const trend = await chartRows(page, 'trend');
    for (const wave of score.waves) expect(trend[wave.waveId]?.value, wave.waveId).toBe(String(wave.nps));
    expect(Object.values(trend).some((row) => row.significant === '1')).toBe(true);
    expect(await page.locator('#trend .sentences li').first().textContent()).toContain(
      'more than chance explains',
    );
    const plans = await chartRows(page, 'segments');
    for (const [plan, figures] of Object.entries(score.segments)) {
      expect(plans[plan]?.value, plan).toBe(String(figures.nps));
      expect(plans[plan]?.n, plan).toBe(String(figures.responses));
    }
    const funnel = await chartRows(page, 'funnel');
    expect(funnel.selected?.count).toBe('30');
    expect(funnel.responded?.count).toBe('20');
    expect(recorder.errors).toEqual([]);
    expect(foreignRequests(recorder, e2e.url)).toEqual([]);
    await context.close();
  });

  test('filters and pages the comment feed without a reload, and without JavaScript too', async () => {
    const context = await e2e.browser.newContext(wide);
    const page = await signIn(context);
    const recorder = record(page);
    await page.goto(`${e2e.url}/admin/surveys/${surveyId}`);
    const scores = () =>
      page
        .locator('#comments li[data-score]')
        .evaluateAll((li) => li.map((e) => Number(e.getAttribute('data-score'))));
    expect(await scores()).toHaveLength(20);
    await page.evaluate(() => {
      (window as unknown as { kept: boolean }).kept = true;
    });
    await page.selectOption('#f-segment', 'detractor');
    await page.locator('#comments button[type=submit]').click();
    await page.waitForURL(/segment=detractor/);
    await expect.poll(async () => (await scores()).every((s) => s <= 6)).toBe(true);
    expect((await scores()).length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { kept?: boolean }).kept)).toBe(true);
    await page.fill('#f-q', 'EXPENSIVE');
    await page.locator('#comments button[type=submit]').click();
    await page.waitForURL(/q=EXPENSIVE/);
    await expect
      .poll(async () =>
        (await page.locator('#comments blockquote').allTextContents()).every((t) =>
          t.includes('too expensive'),
        ),
      )
      .toBe(true);
    // Paging: 26 comments, 20 to a page.
    await page.goto(`${e2e.url}/admin/surveys/${surveyId}`);
    await page.locator('#comments a[rel=next]').click();
    await page.waitForURL(/cursor=/);
    await expect.poll(async () => (await scores()).length).toBe(comments - 20);
    expect(recorder.errors).toEqual([]);
    await context.close();

    const noJs = await e2e.browser.newContext({ ...wide, javaScriptEnabled: false });
    const plain = await signIn(noJs);
    await plain.goto(`${e2e.url}/admin/surveys/${surveyId}`);
    await plain.selectOption('#f-min', '9');
    await Promise.all([plain.waitForURL(/min=9/), plain.locator('#comments button[type=submit]').click()]);
    const high = await plain
      .locator('#comments li[data-score]')
      .evaluateAll((li) => li.map((e) => Number(e.getAttribute('data-score'))));
    expect(high.length).toBeGreaterThan(0);
    expect(high.every((s) => s >= 9)).toBe(true);
    await noJs.close();
  });

  test('publishes, unpublishes, starts a wave after a confirmation, edits texts, erases a contact', async () => {
    const context = await e2e.browser.newContext({ ...phone375, javaScriptEnabled: false });
    const page = await signIn(context);
    const base = `${e2e.url}/admin/surveys/${surveyId}`;
    await page.goto(base);
    await Promise.all([
      page.waitForURL(/done=unpublished/),
      page.locator('form[action$="/unpublish"] button').click(),
    ]);
    expect((await e2e.api<{ state: string }>(`/api/surveys/${surveyId}`)).json.state).toBe('unpublished');
    await Promise.all([
      page.waitForURL(/done=published/),
      page.locator('form[action$="/publish"] button').click(),
    ]);
    const before = (await e2e.api<{ waves: unknown[] }>(`/api/surveys/${surveyId}/waves`)).json.waves.length;
    await page.locator(`a[href$="/waves/new"]`).click();
    await Promise.all([page.waitForURL(/done=wave/), page.locator('form[action$="/waves"] button').click()]);
    expect((await e2e.api<{ waves: unknown[] }>(`/api/surveys/${surveyId}/waves`)).json.waves).toHaveLength(
      before + 1,
    );
    await page.goto(`${base}/edit`);
    await page.fill('#e-subject', 'A quick question from Acme');
    await page.locator('summary', { hasText: 'Svenska' }).click();
    await page.fill('#e-locales-sv-subject', 'En snabb fråga från Acme');
    await Promise.all([page.waitForURL(/done=saved/), page.locator('main form button[type=submit]').click()]);
    const saved = (
      await e2e.api<{ subject: string; locales: { sv?: { subject?: string } } }>(`/api/surveys/${surveyId}`)
    ).json;
    expect(saved.subject).toBe('A quick question from Acme');
    expect(saved.locales.sv?.subject).toBe('En snabb fråga från Acme');
    await page.goto(`${e2e.url}/admin/contacts`);
    await page.fill('#c-email', 'd29@dash.example');
    await Promise.all([page.waitForURL(/\/admin\/contacts\/c_/), page.locator('main form button').click()]);
    await page.locator('a[href$="/erase"]').click();
    await Promise.all([
      page.waitForURL(/done=erased/),
      page.locator('form[action$="/erase"] button').click(),
    ]);
    expect((await e2e.api('/api/contacts?email=d29%40dash.example')).status).toBe(404);
    await context.close();
  });

  test('speaks the reader’s language', async () => {
    for (const [language, lang] of [
      ['sv-SE,sv;q=0.9,en;q=0.5', 'sv'],
      ['zh-CN,zh;q=0.9', 'zh-CN'],
      ['zh-Hant-TW', 'zh-TW'],
    ] as const) {
      const context = await e2e.browser.newContext({
        ...wide,
        locale: lang,
        extraHTTPHeaders: { 'accept-language': language },
      });
      const page = await signIn(context);
      const m = dashboardMessages(lang);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.locator('h1').textContent()).toBe(m.overview.title);
      expect(m.overview.title).not.toBe(dashboardMessages('en').overview.title);
      await page.goto(`${e2e.url}/admin/surveys/${surveyId}`);
      expect(await page.locator('#score-h').textContent()).toBe(m.score.heading);
      await context.close();
    }
  });
});

describe('every dashboard page', () => {
  const pages = (): [string, string][] => [
    ['sign-in', '/admin/sign-in'],
    ['overview', '/admin'],
    ['survey', `/admin/surveys/${surveyId}`],
    ['survey-by-week', `/admin/surveys/${surveyId}?trend=week&segment=promoter`],
    ['survey-by-month', `/admin/surveys/${surveyId}?trend=month&funnel=${firstWave}`],
    ['edit', `/admin/surveys/${surveyId}/edit`],
    ['wave-confirm', `/admin/surveys/${surveyId}/waves/new`],
    ['contacts', '/admin/contacts'],
    ['contact', `/admin/contacts/${contactId}`],
    ['erase-confirm', `/admin/contacts/${contactId}/erase`],
    ['followups', '/admin/followups'],
    ['followups-closed', '/admin/followups?status=closed'],
    ['response', `/admin/responses/${responseRef}`],
    ['not-found', '/admin/surveys/s_aaaaaaaaaaaaaaaa'],
  ];

  test('passes axe-core’s WCAG 2.1 AA rules, on a phone and a desktop, and is photographed', async () => {
    for (const [device, options] of [
      ['phone', phone375],
      ['desktop', wide],
    ] as const) {
      const context = await e2e.browser.newContext({ ...options, bypassCSP: true });
      await signIn(context);
      for (const [name, path] of pages()) {
        const page = await context.newPage();
        if (name === 'sign-in') await context.clearCookies();
        const response = await page.goto(`${e2e.url}${path}`);
        expect(response?.status(), `${name}`).toBe(name === 'not-found' ? 404 : 200);
        await page.screenshot({ path: join(shots, `dashboard-${name}-${device}.png`), fullPage: true });
        const violations = await axeViolations(page);
        expect(violations, `${name} on a ${device}: ${violations.join('\n')}`).toEqual([]);
        // Nothing wider than the screen but the tables, which scroll inside their card.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} on a ${device} is wider than the screen`).toBeLessThanOrEqual(0);
        await page.close();
        if (name === 'sign-in') await signIn(context).then((p) => p.close());
      }
      await context.close();
    }
  });
});
