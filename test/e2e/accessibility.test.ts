/**
 * Every state of the public pages passes axe-core's WCAG 2.1 A/AA rules, weighs under 15 KB and
 * asks nothing of any other host: the response page (empty, with a score from the email, in
 * Swedish and Chinese, editing a saved answer), the thank-you page, the error pages (404 unknown
 * link, 400 score off the scale, 410 closed wave), and unsubscribe before and after. The scale
 * also works from the keyboard alone, with a visible focus.
 *
 * The 410 page needs the wave's window to pass: the last test moves the stack's clock 15 days.
 */
import type { BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fill } from '../../shared/i18n/format.ts';
import { messages } from '../../shared/i18n/messages.ts';
import {
  axeViolations,
  desktop,
  type E2E,
  type EmailLinks,
  emailLinks,
  foreignRequests,
  openPage,
  type PageRecorder,
  pathOf,
  phone,
  record,
  type Seeded,
  seedNpsWave,
  startE2E,
  waitForScore,
} from './support.ts';

const maxPageBytes = 15 * 1024;

let e2e: E2E;
let seeded: Seeded;
/** One context for the audits: axe is injected, which the pages' own CSP would refuse. */
let auditContext: BrowserContext;
const links: Record<'en' | 'sv' | 'zh' | 'unsubscribe' | 'keyboard', EmailLinks> = {} as never;

const contacts = {
  en: { email: 'a11y-en@example.com', name: 'Ann', locale: 'en' },
  sv: { email: 'a11y-sv@example.com', name: 'Sven', locale: 'sv' },
  zh: { email: 'a11y-zh@example.com', name: '李雷', locale: 'zh-CN' },
  unsubscribe: { email: 'a11y-unsub@example.com', name: 'Una', locale: 'en' },
  keyboard: { email: 'a11y-keys@example.com', name: 'Kim', locale: 'en' },
} as const;

beforeAll(async () => {
  e2e = await startE2E('accessibility');
  seeded = await seedNpsWave(e2e, Object.values(contacts), {
    companyName: 'Acme',
    followUp: { detractor: 'What should we fix first?', promoter: 'What do you like most?' },
    branding: { accentColor: '#0f766e' },
  });
  for (const [key, contact] of Object.entries(contacts)) {
    const email = seeded.emails.get(contact.email);
    if (!email) throw new Error(`no invitation email to ${contact.email}`);
    links[key as keyof typeof links] = emailLinks(email, e2e.url);
  }
  auditContext = await e2e.browser.newContext({ ...desktop, bypassCSP: true });
}, 120_000);

afterAll(async () => {
  await auditContext?.close();
  await e2e?.stop();
}, 60_000);

/** A fresh page in the audit context, recording what it requests. */
async function auditPage(): Promise<{ page: Page; recorder: PageRecorder }> {
  const page = await auditContext.newPage();
  return { page, recorder: record(page) };
}

/** The status, the size, the hosts asked, and axe's WCAG 2.1 A/AA rules for the page as it stands. */
async function audit(
  state: string,
  page: Page,
  recorder: PageRecorder,
  response: Response | null,
  status: number,
): Promise<void> {
  if (!response) throw new Error(`${state}: no response`);
  expect(response.status(), `${state}: status`).toBe(status);
  expect(response.headers()['content-type'], `${state}: content type`).toMatch(/^text\/html/);
  const bytes = (await response.body()).byteLength;
  expect(bytes, `${state}: the page weighs ${bytes} bytes`).toBeLessThan(maxPageBytes);
  await page.waitForLoadState('load');
  expect(foreignRequests(recorder, e2e.url), `${state}: requests to other hosts`).toEqual([]);
  const violations = await axeViolations(page);
  expect(
    violations,
    `${state}: axe found ${violations.length} violation(s):\n${violations.join('\n')}`,
  ).toEqual([]);
}

const scoreLink = (which: keyof typeof links, score: number): string => {
  const link = links[which].scores.get(score);
  if (!link) throw new Error(`no link for score ${score}`);
  return link;
};

/** Submits the page's form; answers the POST's response. */
async function submitForm(page: Page): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.locator('form button[type=submit]').click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

describe('the response page', () => {
  test('without a score', async () => {
    const { page, recorder } = await auditPage();
    const response = await page.goto(`${e2e.url}/r/${links.en.token}`);
    expect(await page.locator('input[name=score]:checked').count()).toBe(0);
    await audit('response page, no score', page, recorder, response, 200);
    await page.close();
  });

  test('with the score chosen in the email, in English, Swedish and Chinese', async () => {
    for (const which of ['en', 'sv', 'zh'] as const) {
      const { page, recorder } = await auditPage();
      const response = await page.goto(scoreLink(which, 9));
      expect(await page.locator('input[value="9"]').isChecked()).toBe(true);
      expect(await page.locator('html').getAttribute('lang')).toBe(contacts[which].locale);
      await audit(`response page, score 9, ${contacts[which].locale}`, page, recorder, response, 200);
      await page.close();
    }
  });

  test('the thank-you page', async () => {
    const { page, recorder } = await auditPage();
    await page.goto(scoreLink('en', 9));
    await page.locator('input[value="3"]').check();
    await page.locator('textarea#comment').fill('The invoices are hard to read.');
    const response = await submitForm(page);
    expect(await page.locator('h1').textContent()).toBe(messages('en').thankYouTitle);
    await audit('thank-you page', page, recorder, response, 200);
    await page.close();
  });

  test('editing a saved answer', async () => {
    await waitForScore(e2e, seeded.surveyId, (s) => s.responses === 1, 'the first answer');
    const { page, recorder } = await auditPage();
    const response = await page.goto(`${e2e.url}/r/${links.en.token}`);
    expect(await page.locator('input[value="3"]').isChecked()).toBe(true);
    expect(await page.locator('textarea#comment').inputValue()).toBe('The invoices are hard to read.');
    await audit('response page, editing', page, recorder, response, 200);
    await page.close();
  });

  test('works from the keyboard alone, with a visible focus', async () => {
    const { page, recorder, close } = await openPage(e2e.browser, phone);
    try {
      await page.goto(`${e2e.url}/r/${links.keyboard.token}`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('s0');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      expect(await page.locator('#s3').isChecked()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('s3');
      // The focused point's visible box carries the focus ring (the radio itself is transparent).
      const outline = await page.locator('label[for=s3]').evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline).toBe('solid');
      expect(await page.locator('[data-q="detractor"]').isVisible()).toBe(true);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('comment');
      await page.keyboard.type('Typed with the keyboard only.');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BUTTON');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.keyboard.press('Enter'),
      ]);
      expect(response.status()).toBe(200);
      await page.waitForLoadState('load');
      expect(await page.locator('main').textContent()).toContain(
        fill(messages('en').yourScore, { score: '3' }),
      );
      expect(recorder.errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('the error pages', () => {
  test('404 for an unknown link', async () => {
    const [surveyId, secret = ''] = links.en.token.split('.');
    const unknown = `${surveyId}.${'A'.repeat(secret.length)}`;
    for (const path of [`/r/${unknown}?score=9`, '/r/not-a-token']) {
      const { page, recorder } = await auditPage();
      const response = await page.goto(`${e2e.url}${path}`);
      await audit(`404 page (${path.replace(unknown, '<unknown>')})`, page, recorder, response, 404);
      await page.close();
    }
  });

  test('400 for a score off the scale', async () => {
    const { page, recorder } = await auditPage();
    await page.goto(scoreLink('sv', 9));
    // What a tampered or stale form would post: a value the scale does not have.
    await page.locator('#s9').evaluate((input) => {
      (input as HTMLInputElement).value = '11';
    });
    const response = await submitForm(page);
    expect(pathOf(response.url())).toBe(`/r/${links.sv.token}`);
    // The link is the Swedish contact's: the page says what went wrong in Swedish.
    expect.soft(await page.locator('html').getAttribute('lang'), '400 page language').toBe('sv');
    expect
      .soft(await page.locator('h1').textContent(), '400 page title')
      .toBe(messages('sv').errors[400].title);
    await audit('400 page', page, recorder, response, 400);
    await page.close();
    const score = await waitForScore(e2e, seeded.surveyId, (s) => s.responses >= 1);
    expect(score.distribution['11']).toBeUndefined();
  });
});

describe('unsubscribing', () => {
  test('the unsubscribe page and the unsubscribed page', async () => {
    const { page, recorder } = await auditPage();
    const shown = await page.goto(links.unsubscribe.unsubscribe);
    await audit('unsubscribe page', page, recorder, shown, 200);
    const done = await submitForm(page);
    expect(pathOf(done.url())).toBe(`/u/${links.unsubscribe.token}`);
    await audit('unsubscribed page', page, recorder, done, 200);
    await page.close();
    const contact = await e2e.api<{ status: string }>(
      `/api/contacts?email=${encodeURIComponent(contacts.unsubscribe.email)}`,
    );
    expect(contact.json.status).toBe('unsubscribed');
  });
});

// Last: moves the stack's clock past the wave's window.
describe('after the wave has closed', () => {
  test('410 for a closed survey, with and without a score', async () => {
    const moved = await fetch(`${e2e.url}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 15 * 86_400 }),
    });
    expect(moved.status, await moved.clone().text()).toBe(200);
    const closed: [string, string][] = [
      [scoreLink('zh', 9), 'zh-CN'],
      [`${e2e.url}/r/${links.en.token}`, 'en'],
    ];
    for (const [url, locale] of closed) {
      const { page, recorder } = await auditPage();
      const response = await page.goto(url);
      // The invitation is known, so is its contact's language.
      expect
        .soft(await page.locator('html').getAttribute('lang'), `410 page language of ${locale}`)
        .toBe(locale);
      await audit(
        `410 page (${pathOf(url).replace(/\/r\/[^?]+/, '/r/<token>')})`,
        page,
        recorder,
        response,
        410,
      );
      await page.close();
    }
  });
});
