/**
 * The response page as a recipient uses it, from the email's score link to a changed answer: on a
 * phone and on a desktop, with JavaScript (the follow-up question follows the chosen score in the
 * browser) and without it (a plain form POST; the server shows the saved score's question), in the
 * contact's language whatever the browser's.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fill } from '../../shared/i18n/format.ts';
import { messages } from '../../shared/i18n/messages.ts';
import {
  desktop,
  type E2E,
  emailLinks,
  foreignRequests,
  openPage,
  pathOf,
  phone,
  type Seeded,
  seedNpsWave,
  startE2E,
  waitForScore,
} from './support.ts';

type Lang = 'en' | 'sv';

const followUp: Record<Lang, Record<'promoter' | 'passive' | 'detractor', string>> = {
  en: {
    promoter: 'What do you like most about Acme?',
    passive: 'What would make Acme a 10 for you?',
    detractor: 'What went wrong for you?',
  },
  sv: {
    promoter: 'Vad gillar du mest med Acme?',
    passive: 'Vad skulle göra Acme till en tia för dig?',
    detractor: 'Vad gick fel för dig?',
  },
};
const thankYou: Record<Lang, string> = {
  en: 'We read every answer ourselves.',
  sv: 'Vi läser varje svar själva.',
};
const surveyBody = {
  companyName: 'Acme',
  followUp: followUp.en,
  thankYou: thankYou.en,
  locales: { sv: { followUp: followUp.sv, thankYou: thankYou.sv } },
};

interface Flow {
  name: string;
  slug: string;
  device: BrowserContextOptions;
  touch: boolean;
  javaScript: boolean;
  /** The contact's locale; the browser asks for the other one, and the contact's must win. */
  locale: Lang;
}

const flows: Flow[] = [
  {
    name: 'phone, JavaScript, Swedish contact',
    slug: 'phone-js-sv',
    device: phone,
    touch: true,
    javaScript: true,
    locale: 'sv',
  },
  {
    name: 'desktop, JavaScript, English contact',
    slug: 'desktop-js-en',
    device: desktop,
    touch: false,
    javaScript: true,
    locale: 'en',
  },
  {
    name: 'phone, no JavaScript, English contact',
    slug: 'phone-nojs-en',
    device: phone,
    touch: true,
    javaScript: false,
    locale: 'en',
  },
  {
    name: 'desktop, no JavaScript, Swedish contact',
    slug: 'desktop-nojs-sv',
    device: desktop,
    touch: false,
    javaScript: false,
    locale: 'sv',
  },
];

let e2e: E2E;

/** Each flow answers its own survey (one contact, one wave), so "responses: 1" means that flow's answer. */
const seededFlows = new Map<string, Seeded>();
const addressOf = (flow: Flow) => `${flow.slug}@example.com`;

beforeAll(async () => {
  e2e = await startE2E('response-page');
  const seeded = await Promise.all(
    flows.map((flow) =>
      seedNpsWave(e2e, [{ email: addressOf(flow), name: 'Robin', locale: flow.locale }], surveyBody),
    ),
  );
  flows.forEach((flow, i) => {
    const one = seeded[i];
    if (one) seededFlows.set(flow.slug, one);
  });
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
}, 60_000);

const radio = (page: Page, score: number) => page.locator(`input[type=radio][name=score][value="${score}"]`);
const question = (page: Page, segment: string) => page.locator(`label[for=comment] [data-q="${segment}"]`);

/** Taps (phone) or clicks (desktop) the visible box of a score, where a finger or a mouse would. */
async function chooseScore(page: Page, score: number, touch: boolean): Promise<void> {
  const label = page.locator(`label[for="s${score}"]`);
  await label.scrollIntoViewIfNeeded();
  const box = await label.boundingBox();
  if (!box) throw new Error(`the label of score ${score} is not rendered`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  if (touch) await page.touchscreen.tap(x, y);
  else await page.mouse.click(x, y);
}

/** Submits the form and waits for the answer page; fails unless the POST answered 200. */
async function submit(page: Page, formPath: string): Promise<void> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && pathOf(r.url()) === formPath),
    page.locator('form button[type=submit]').click(),
  ]);
  expect(response.status(), await response.text()).toBe(200);
  await page.waitForLoadState('load');
}

/** Which segments' follow-up questions are visible, e.g. ['promoter']. */
async function visibleQuestions(page: Page): Promise<string[]> {
  const shown: string[] = [];
  for (const segment of ['promoter', 'passive', 'detractor', '']) {
    if (await question(page, segment).isVisible()) shown.push(segment || 'generic');
  }
  return shown;
}

describe('the response page, from the email link to a changed answer', () => {
  test.each(flows)('$name', async (flow) => {
    const address = addressOf(flow);
    const seeded = seededFlows.get(flow.slug);
    if (!seeded) throw new Error(`flow ${flow.slug} was not seeded`);
    const invitation = seeded.emails.get(address);
    if (!invitation) throw new Error(`no invitation email to ${address}`);
    const links = emailLinks(invitation, e2e.url);
    const formPath = `/r/${links.token}`;
    const m = messages(flow.locale);
    const texts = followUp[flow.locale];
    const link9 = links.scores.get(9);
    expect(links.scores.size).toBe(11);
    if (!link9) throw new Error('the email has no link for score 9');

    const { page, recorder, close } = await openPage(e2e.browser, {
      ...flow.device,
      javaScriptEnabled: flow.javaScript,
      locale: flow.locale === 'sv' ? 'en-US' : 'sv-SE',
    });
    try {
      // The link from the email: 9 is chosen, the promoters' question is shown, nothing is recorded.
      const opened = await page.goto(link9);
      expect(opened?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe(flow.locale);
      await expect(page.locator('h1').textContent()).resolves.toBe(fill(m.question.nps, { company: 'Acme' }));
      expect(await radio(page, 9).isChecked()).toBe(true);
      expect(await page.locator('input[name=score]:checked').count()).toBe(1);
      expect(await visibleQuestions(page)).toEqual(['promoter']);
      expect(await question(page, 'promoter').textContent()).toBe(texts.promoter);
      expect(await question(page, 'detractor').isHidden()).toBe(true);
      expect(await page.locator('form button[type=submit]').textContent()).toBe(m.submit);

      // Choosing 3 instead: with JavaScript the detractors' question follows at once; without, the
      // server's choice stands until the answer is posted.
      await chooseScore(page, 3, flow.touch);
      expect(await radio(page, 3).isChecked()).toBe(true);
      expect(await radio(page, 9).isChecked()).toBe(false);
      if (flow.javaScript) {
        expect(await visibleQuestions(page)).toEqual(['detractor']);
        expect(await question(page, 'detractor').textContent()).toBe(texts.detractor);
      } else {
        expect(await visibleQuestions(page)).toEqual(['promoter']);
      }
      const comment = `Support took a week to answer (${flow.slug}).\nPlease be faster — tack!`;
      await page.locator('textarea#comment').fill(comment);
      await submit(page, formPath);

      // The thank-you page, in the contact's language, with the way back.
      expect(await page.locator('html').getAttribute('lang')).toBe(flow.locale);
      expect(await page.locator('h1').textContent()).toBe(m.thankYouTitle);
      expect(await page.locator('main').textContent()).toContain(thankYou[flow.locale]);
      expect(await page.locator('main').textContent()).toContain(fill(m.yourScore, { score: '3' }));
      expect(await page.locator(`main a[href="${formPath}"]`).count()).toBe(1);

      await waitForScore(
        e2e,
        seeded.surveyId,
        (s) => s.responses === 1 && s.distribution['3'] === 1 && s.detractors === 1 && s.nps === -100,
        'one detractor answer (3)',
      );

      // Back through the thank-you page's link: the saved answer, ready to edit, with the saved
      // score's question shown by the server.
      await Promise.all([
        page.waitForURL(`${e2e.url}${formPath}`),
        page.locator(`main a[href="${formPath}"]`).click(),
      ]);
      await page.waitForLoadState('load');
      expect(await radio(page, 3).isChecked()).toBe(true);
      expect(await page.locator('input[name=score]:checked').count()).toBe(1);
      expect(await page.locator('textarea#comment').inputValue()).toBe(comment);
      expect(await visibleQuestions(page)).toEqual(['detractor']);
      expect(await page.locator('form button[type=submit]').textContent()).toBe(m.update);
      expect(await page.locator('main').textContent()).toContain(m.saved);

      await chooseScore(page, 10, flow.touch);
      expect(await radio(page, 10).isChecked()).toBe(true);
      if (flow.javaScript) expect(await visibleQuestions(page)).toEqual(['promoter']);
      await submit(page, formPath);
      expect(await page.locator('main').textContent()).toContain(fill(m.yourScore, { score: '10' }));

      const changed = await waitForScore(
        e2e,
        seeded.surveyId,
        (s) => s.distribution['10'] === 1 && s.distribution['3'] === 0,
        'the answer changed to 10',
      );
      expect(changed).toMatchObject({ responses: 1, promoters: 1, detractors: 0, passives: 0, nps: 100 });

      // Once more without JavaScript's help: the saved 10 shows the promoters' question.
      await page.goto(`${e2e.url}${formPath}`);
      expect(await radio(page, 10).isChecked()).toBe(true);
      expect(await visibleQuestions(page)).toEqual(['promoter']);
      expect(await page.locator('textarea#comment').inputValue()).toBe(comment);

      // The pages asked nothing of any other host, and broke none of their own CSP.
      expect(foreignRequests(recorder, e2e.url)).toEqual([]);
      expect(recorder.dialogs).toEqual([]);
      expect(recorder.errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
