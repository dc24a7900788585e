import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { errorStatuses } from '../../shared/i18n/catalogue.ts';
import { supportedLocales } from '../../shared/locales.ts';
import { renderErrorPage } from '../../shared/pages/error-page.ts';
import { newNonce, pageHeaders } from '../../shared/pages/headers.ts';
import { escapeHtml } from '../../shared/pages/html.ts';
import {
  type ResponsePageInput,
  renderLinkSurveyPage,
  renderResponsePage,
} from '../../shared/pages/response-page.ts';
import { renderThankYouPage } from '../../shared/pages/thank-you-page.ts';
import { renderUnsubscribedPage, renderUnsubscribePage } from '../../shared/pages/unsubscribe-page.ts';
import type { Survey } from '../../shared/survey/schema.ts';

const survey = (over: Partial<Survey> = {}): Survey => ({
  id: 'srv_1',
  kind: 'nps',
  name: 'Quarterly NPS',
  companyName: 'Acme',
  scale: { min: 0, max: 10 },
  followUp: {},
  locales: {},
  defaultLocale: 'en',
  timezone: 'Europe/Stockholm',
  branding: { logoUrl: 'https://cdn.example.com/logo.png', accentColor: '#0f766e' },
  audience: {},
  reminders: { count: 1, afterDays: 3 },
  windowDays: 14,
  anonymous: false,
  reportBy: [],
  alerts: [],
  link: { enabled: false },
  state: 'published',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...over,
});

const nonce = 'bm9uY2Utbm9uY2Utbm9uYw==';
const closesAt = '2025-03-05T13:00:00.000Z';
const page = (over: Partial<ResponsePageInput> = {}) =>
  renderResponsePage({ survey: survey(), locale: 'en', action: '/r/tok', nonce, ...over });

/** The opening tag of the element with this id. */
const tagWithId = (html: string, id: string): string =>
  html.match(new RegExp(`<[a-z]+ [^>]*id="${id}"[^>]*>`))?.[0] ?? '';
/** The follow-up question spans that are shown (not `hidden`). */
const visibleQuestions = (html: string): string[] =>
  [...html.matchAll(/<span data-q="([^"]*)"( hidden)?>/g)].filter((m) => !m[2]).map((m) => m[1] ?? '');

/** Every page state in every locale, for the checks that hold for all of them. */
function everyPage(): [string, string][] {
  const out: [string, string][] = [];
  const long = 'x'.repeat(2000);
  for (const locale of supportedLocales) {
    const s = survey({ companyName: 'Acme Corporation International' });
    const at = (name: string) => `${locale} ${name}`;
    out.push([at('response'), renderResponsePage({ survey: s, locale, action: '/r/tok', nonce })]);
    out.push([
      at('response ?score'),
      renderResponsePage({ survey: s, locale, action: '/r/tok', nonce, chosenScore: 9 }),
    ]);
    out.push([
      at('response editing'),
      renderResponsePage({
        survey: s,
        locale,
        action: '/r/tok',
        nonce,
        current: { score: 3, comment: long },
        closesAt,
      }),
    ]);
    out.push([
      at('csat 1–7'),
      renderResponsePage({
        survey: survey({ kind: 'csat', scale: { min: 1, max: 7 } }),
        locale,
        action: '/l/srv_1',
        nonce,
      }),
    ]);
    out.push([
      at('thank-you'),
      renderThankYouPage({ survey: s, locale, score: 9, editUrl: '/r/tok', closesAt, nonce }),
    ]);
    for (const status of errorStatuses)
      out.push([at(`error ${status}`), renderErrorPage({ status, locale })]);
    out.push([at('unsubscribe'), renderUnsubscribePage({ locale, action: '/u/tok', companyName: 'Acme' })]);
    out.push([at('unsubscribed'), renderUnsubscribedPage({ locale, companyName: 'Acme' })]);
  }
  return out;
}

describe('every page', () => {
  const pages = everyPage();

  it.each(pages)('%s is under 15 KB', (_, html) => {
    expect(Buffer.byteLength(html)).toBeLessThan(15 * 1024);
  });

  it.each(pages)('%s asks nothing of another host', (_, html) => {
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9]/i);
    expect(html).not.toMatch(/<img|<iframe|<object|<embed/i);
  });

  it.each(pages)('%s is a complete, accessible document', (_, html) => {
    expect(html.startsWith('<!doctype html>\n<html lang="')).toBe(true);
    expect(html).toMatch(/<html lang="(en|sv|zh-CN|zh-TW)" dir="ltr">/);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html.match(/<main>/g)).toHaveLength(1);
    expect(html).toMatch(/<title>[^<]+<\/title>/);
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
  });

  it.each(pages)(
    '%s uses nothing its CSP blocks: no style or event attributes, scripts only with the nonce',
    (_, html) => {
      expect(html).not.toMatch(/\sstyle="/);
      expect(html).not.toMatch(/\son[a-z]+="/);
      for (const tag of html.match(/<script[^>]*>/g) ?? []) expect(tag).toBe(`<script nonce="${nonce}">`);
    },
  );

  it.each(pages)('%s has its stylesheet allowed by the CSP', (_, html) => {
    const csp = pageHeaders({ nonce, hsts: false })['content-security-policy'] ?? '';
    for (const m of html.matchAll(/<style( nonce="[^"]*")?>([^<]*)<\/style>/g)) {
      if (m[1]) {
        expect(m[1]).toBe(` nonce="${nonce}"`);
      } else {
        const hash = createHash('sha256')
          .update(m[2] ?? '')
          .digest('base64');
        expect(csp).toContain(`'sha256-${hash}'`);
      }
    }
  });
});

describe('response page', () => {
  it('has a real radio group: 11 inputs named score, each with its label, in a fieldset', () => {
    const html = page();
    const inputs = html.match(/<input type="radio"[^>]*>/g) ?? [];
    expect(inputs).toHaveLength(11);
    inputs.forEach((input, score) => {
      expect(input).toContain('name="score"');
      expect(input).toContain(`value="${score}"`);
      expect(input).toContain(`id="s${score}"`);
      expect(input).toContain(`aria-label="${score} out of 10"`);
      expect(html).toContain(`<label for="s${score}">${score}</label>`);
    });
    expect(html).toMatch(
      /<fieldset>\s*<legend><h1>How likely is it that you would recommend Acme to a friend or colleague\?<\/h1><\/legend>/,
    );
    expect(html).toContain('<form method="post" action="/r/tok">');
    expect(html).toContain('<button type="submit">Send</button>');
  });

  it('ties the end labels to the end points', () => {
    const html = page();
    expect(tagWithId(html, 's0')).toContain('aria-describedby="end-lo"');
    expect(tagWithId(html, 's10')).toContain('aria-describedby="end-hi"');
    expect(html).toContain('<span id="end-lo">Not at all likely</span>');
    expect(html).toContain('<span id="end-hi">Extremely likely</span>');
  });

  it('has a labelled comment box of at most 2,000 characters', () => {
    const html = page();
    expect(html).toMatch(/<label class="q" for="comment">/);
    expect(tagWithId(html, 'comment')).toMatch(/<textarea [^>]*name="comment"[^>]*maxlength="2000"/);
    expect(tagWithId(html, 'comment')).toContain('aria-describedby="comment-hint"');
    expect(html).toContain('<p class="hint" id="comment-hint">Optional. Up to 2,000 characters.</p>');
  });

  it('checks the score from the link and shows that segment’s follow-up question', () => {
    const html = page({ chosenScore: 9 });
    expect(html.match(/ checked>/g)).toHaveLength(1);
    expect(tagWithId(html, 's9')).toContain(' checked');
    expect(visibleQuestions(html)).toEqual(['promoter']);
    expect(html).toContain('<span data-q="promoter">Great to hear! What do you like most about Acme?</span>');
    expect(visibleQuestions(page({ chosenScore: 7 }))).toEqual(['passive']);
    expect(visibleQuestions(page({ chosenScore: 0 }))).toEqual(['detractor']);
  });

  it('shows a generic question, and checks nothing, without a score on the scale', () => {
    for (const html of [page(), page({ chosenScore: 11 }), page({ chosenScore: 2.5 })]) {
      expect(html).not.toContain(' checked');
      expect(visibleQuestions(html)).toEqual(['']);
    }
  });

  it('renders every segment’s question so the script can switch between them', () => {
    const html = page({ chosenScore: 3 });
    expect([...html.matchAll(/data-q="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'promoter',
      'passive',
      'detractor',
      '',
    ]);
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain('data-seg="promoter"');
  });

  it('uses the CSAT segments and 1–5 scale', () => {
    const html = page({ survey: survey({ kind: 'csat', scale: { min: 1, max: 5 } }), chosenScore: 5 });
    expect(html.match(/<input type="radio"/g)).toHaveLength(5);
    expect(visibleQuestions(html)).toEqual(['high']);
    expect(html).toContain('Very dissatisfied');
  });

  it('pre-fills the saved answer when editing and says until when it can change', () => {
    const html = page({ current: { score: 4, comment: 'Slow support' }, closesAt });
    expect(tagWithId(html, 's4')).toContain(' checked');
    expect(html).toMatch(/<textarea [^>]*>\nSlow support<\/textarea>/);
    expect(html).toContain('You can change it until March 5, 2025 at 2:00');
    expect(html).toContain('<button type="submit">Update my answer</button>');
    // A newly clicked score wins over the saved one; the saved comment stays.
    const again = page({ current: { score: 4, comment: 'Slow support' }, chosenScore: 10, closesAt });
    expect(tagWithId(again, 's10')).toContain(' checked');
    expect(tagWithId(again, 's4')).not.toContain(' checked');
    expect(again).toContain('Slow support');
  });

  it('is in the recipient’s language', () => {
    const html = page({ locale: 'zh-TW', chosenScore: 2 });
    expect(html).toContain('<html lang="zh-TW" dir="ltr">');
    expect(html).toContain('您有多大可能向朋友或同事推薦Acme?');
    expect(html).toContain('<button type="submit">送出</button>');
  });

  it('shows a notice when given', () => {
    expect(page({ notice: 'Pick a score' })).toContain('<p class="notice" role="status">Pick a score</p>');
  });

  it('escapes survey text, comments and the action', () => {
    const evil = '<script>alert(1)</script>';
    const html = page({
      survey: survey({ companyName: evil, followUp: { promoter: `${evil}"` } }),
      chosenScore: 9,
      current: { score: 9, comment: `</textarea>${evil}` },
      action: '/r/a"b',
      notice: evil,
    });
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`&lt;/textarea&gt;${escapeHtml(evil)}</textarea>`);
    expect(html).toContain('action="/r/a&quot;b"');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;</span>');
  });

  it('serves link surveys with the same form and their own action', () => {
    const html = renderLinkSurveyPage({ survey: survey(), locale: 'en', action: '/l/srv_1', nonce });
    expect(html).toContain('<form method="post" action="/l/srv_1">');
  });

  it('wears the survey’s accent only through the nonce’d style', () => {
    expect(page()).toContain(`<style nonce="${nonce}">:root{--fill:#0f766e;`);
    expect(page({ survey: survey({ branding: {} }) })).not.toContain('<style nonce');
  });
});

describe('thank-you page', () => {
  it('thanks, shows the answer and links back to change it', () => {
    const html = renderThankYouPage({
      survey: survey(),
      locale: 'en',
      score: 9,
      editUrl: '/r/tok',
      closesAt,
    });
    expect(html).toContain('<h1>Thank you!</h1>');
    expect(html).toContain('Your answer: 9');
    expect(html).toContain('You can change it until March 5, 2025');
    expect(html).toContain('<a href="/r/tok">Change your answer</a>');
  });

  it('uses the survey’s thank-you text in its default locale only', () => {
    const s = survey({ thankYou: 'Cheers from <Acme>' });
    expect(renderThankYouPage({ survey: s, locale: 'en', score: 1 })).toContain(
      '<p>Cheers from &lt;Acme&gt;</p>',
    );
    expect(renderThankYouPage({ survey: s, locale: 'sv', score: 1 })).toContain(
      'Din återkoppling hjälper Acme',
    );
  });
});

describe('error pages', () => {
  it.each([
    [404, 'Link not found'],
    [410, 'This survey has closed'],
    [400, 'That score is not on the scale'],
    [403, 'This form could not be accepted'],
    [413, 'Your comment is too long'],
    [429, 'Too many requests'],
    [500, 'Something went wrong'],
  ] as const)('%i says "%s"', (status, title) => {
    const html = renderErrorPage({ status, locale: 'en' });
    expect(html).toContain(`<h1>${title}</h1>`);
    expect(html).toContain(`Error ${status}`);
  });

  it('fills the limit into the 413 text and escapes a detail', () => {
    expect(renderErrorPage({ status: 413, locale: 'sv' })).toMatch(/högst 2\s000 tecken/);
    expect(renderErrorPage({ status: 400, locale: 'en', detail: '<b>12</b>' })).toContain(
      '<p>&lt;b&gt;12&lt;/b&gt;</p>',
    );
  });
});

describe('unsubscribe pages', () => {
  it('asks with a POST form and one button, since a GET must never unsubscribe', () => {
    const html = renderUnsubscribePage({ locale: 'en', action: '/u/tok', companyName: 'Acme' });
    expect(html).toContain(
      '<form method="post" action="/u/tok"><button type="submit">Unsubscribe</button></form>',
    );
    expect(html.match(/<button/g)).toHaveLength(1);
    expect(html).toContain('feedback surveys from Acme');
  });

  it('confirms without any form', () => {
    const html = renderUnsubscribedPage({ locale: 'sv', companyName: '' });
    expect(html).toContain('<h1>Du är avregistrerad</h1>');
    expect(html).toContain('enkäter från vårt företag');
    expect(html).not.toContain('<form');
  });
});

describe('pageHeaders', () => {
  it('sets a strict CSP and the privacy headers', () => {
    const h = pageHeaders({ nonce, hsts: false });
    expect(h['content-type']).toBe('text/html; charset=utf-8');
    expect(h['referrer-policy']).toBe('no-referrer');
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['cache-control']).toBe('no-store');
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['strict-transport-security']).toBeUndefined();
    const directives = new Map(
      (h['content-security-policy'] ?? '')
        .split('; ')
        .map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual([`'nonce-${nonce}'`]);
    expect(directives.get('style-src')).toContain(`'nonce-${nonce}'`);
    expect(h['content-security-policy']).not.toContain('unsafe-inline');
    expect(directives.get('form-action')).toEqual(["'self'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
  });

  it('adds HSTS when asked', () => {
    expect(pageHeaders({ nonce, hsts: true })['strict-transport-security']).toBe(
      'max-age=63072000; includeSubDomains',
    );
  });
});

describe('newNonce', () => {
  it('gives 128 random bits in base64, different every time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(Buffer.from(n, 'base64')).toHaveLength(16);
  });
});
