import { describe, expect, it } from 'vitest';
import { type InvitationInput, renderInvitationEmail } from '../../shared/email/invitation.ts';
import { pickLocale } from '../../shared/i18n/pick-locale.ts';
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
  branding: {},
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

const base = 'https://feedback.example.com';
const token = 'srv_1.AbC-123_x';
const email = (over: Partial<InvitationInput> = {}) =>
  renderInvitationEmail({ survey: survey(), locale: 'en', token, publicUrl: base, ...over });

/** The score links in document order. */
const scoreHrefs = (html: string): string[] =>
  [...html.matchAll(/<a href="([^"]*\/r\/[^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));

const urlsFor = (scores: number[]) => scores.map((n) => `${base}/r/${token}?score=${n}`);
const range = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);

describe('invitation email: the scale', () => {
  it('has the 11 NPS buttons 0–10, in order, each to its own score', () => {
    expect(scoreHrefs(email().html)).toEqual(urlsFor(range(0, 10)));
  });

  it('has 5 buttons for CSAT 1–5 and 7 for CES 1–7', () => {
    const csat = email({ survey: survey({ kind: 'csat', scale: { min: 1, max: 5 } }) });
    expect(scoreHrefs(csat.html)).toEqual(urlsFor(range(1, 5)));
    const ces = email({ survey: survey({ kind: 'ces', scale: { min: 1, max: 7 } }) });
    expect(scoreHrefs(ces.html)).toEqual(urlsFor(range(1, 7)));
    expect(ces.html).toContain('Strongly disagree');
    expect(ces.html).toContain('Strongly agree');
  });

  it('names each button for screen readers and shows the end labels', () => {
    const { html } = email();
    expect(html).toContain('aria-label="0 out of 10"');
    expect(html).toContain('aria-label="10 out of 10"');
    expect(html.indexOf('Not at all likely')).toBeLessThan(html.indexOf('Extremely likely'));
    expect(html.indexOf('>10</a>')).toBeLessThan(html.indexOf('Not at all likely'));
  });

  it('tolerates a trailing slash on the public URL and encodes the token', () => {
    const { html } = email({ publicUrl: `${base}/`, token: 'a/b c' });
    expect(scoreHrefs(html)[0]).toBe(`${base}/r/a%2Fb%20c?score=0`);
  });
});

describe('invitation email: text and language', () => {
  it('asks the question with the company name, in the contact’s locale', () => {
    const locale = pickLocale({ contactLocale: 'sv-SE', surveyDefault: 'en' });
    const mail = email({ locale, contactName: 'Eva' });
    const question = 'Hur troligt är det att du skulle rekommendera Acme till en vän eller kollega?';
    expect(mail.html).toContain(question);
    expect(mail.text).toContain(question);
    expect(mail.subject).toBe('En snabb fråga från Acme');
    expect(mail.html).toContain('<html lang="sv" dir="ltr">');
    expect(mail.html).toContain('Hej Eva!');
    expect(mail.html).toContain('Avregistrera dig');
  });

  it('uses the survey’s subject and intro in its default locale', () => {
    const mail = email({
      survey: survey({ subject: 'We value you,\n{company}', intro: 'Line one\nline two\n\nPara two' }),
    });
    expect(mail.subject).toBe('We value you, Acme');
    expect(mail.html).toContain('Line one<br>line two</p>');
    expect(mail.html).toContain('>Para two</p>');
  });

  it('sends reminders with the reminder subject and intro and the same buttons', () => {
    const first = email();
    const reminder = email({ reminder: 1 });
    expect(reminder.subject).toBe(`Reminder: ${first.subject}`);
    expect(reminder.html).toContain('We have not heard from you yet');
    expect(reminder.text).toContain('We have not heard from you yet');
    expect(scoreHrefs(reminder.html)).toEqual(scoreHrefs(first.html));
    const custom = email({
      reminder: 2,
      survey: survey({ locales: { en: { reminderSubject: 'Last call', reminderIntro: 'One more time' } } }),
    });
    expect(custom.subject).toBe('Last call');
    expect(custom.html).toContain('One more time');
    expect(email({ reminder: 0 }).subject).toBe(first.subject);
  });

  it('shows the logo with the company name as alt text, and the accent colour', () => {
    const { html } = email({
      survey: survey({
        branding: { logoUrl: 'https://cdn.example.com/logo.png?a=1&b=2', accentColor: '#0F766E' },
      }),
    });
    expect(html).toContain('<img src="https://cdn.example.com/logo.png?a=1&amp;b=2" alt="Acme"');
    expect(html).toContain('bgcolor="#0f766e"');
    expect(email().html).toContain('bgcolor="#1d4ed8"');
  });

  it('picks text that stays readable on a light accent', () => {
    const { html } = email({ survey: survey({ branding: { accentColor: '#facc15' } }) });
    expect(html).toMatch(/color:#000000;text-decoration:none;text-align:center">0<\/a>/);
  });

  it('uses no scripts, style sheets or web fonts', () => {
    const { html } = email();
    expect(html).not.toMatch(/<script|<style|<link|@import|@font-face/i);
  });
});

describe('invitation email: escaping', () => {
  const evil = '<script>alert(1)</script>"\'&';
  it('escapes every survey-provided text', () => {
    const mail = email({
      survey: survey({
        companyName: evil,
        subject: evil,
        intro: `<img src=x onerror=alert(1)>`,
        branding: { logoUrl: 'https://cdn.example.com/logo.png' },
      }),
      contactName: '<b>Eve</b>',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).not.toContain('<b>Eve');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(mail.html).toContain('alt="&lt;script&gt;');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The plain-text part is not HTML: it carries the text as written.
    expect(mail.text).toContain(`recommend ${evil} to a friend`);
  });
});

describe('invitation email: honeypot', () => {
  it('carries a link to /h/<token> that no person sees, tabs to or hears', () => {
    const { html } = email();
    const match = html.match(
      /<div([^>]*)><a href="https:\/\/feedback\.example\.com\/h\/([^"]+)"([^>]*)>([^<]*)<\/a><\/div>/,
    );
    expect(match).not.toBeNull();
    const [, wrapper = '', hpToken, anchor = '', content] = match ?? [];
    expect(hpToken).toBe(token);
    expect(content).toBe('');
    expect(wrapper).toContain('display:none');
    expect(wrapper).toContain('aria-hidden="true"');
    expect(wrapper).toContain('mso-hide:all');
    expect(anchor).toContain('tabindex="-1"');
    expect(anchor).toContain('aria-hidden="true"');
    expect(anchor).toContain('display:none');
    expect(anchor).toContain('width:1px;height:1px');
    expect(html.match(/\/h\//g)).toHaveLength(1);
  });

  it('keeps the honeypot out of the plain-text part', () => {
    expect(email().text).not.toContain('/h/');
  });
});

describe('invitation email: unsubscribe', () => {
  const unsubscribe = `${base}/u/${token}`;

  it('sets List-Unsubscribe and List-Unsubscribe-Post (RFC 8058)', () => {
    expect(email().headers).toEqual([
      { name: 'List-Unsubscribe', value: `<${unsubscribe}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('adds the mailto: alternative when given, either as an address or a mailto: URL', () => {
    const expected = [
      {
        name: 'List-Unsubscribe',
        value: `<${unsubscribe}>, <mailto:unsubscribe@acme.test?subject=unsubscribe>`,
      },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ];
    expect(email({ unsubscribeMailto: 'unsubscribe@acme.test' }).headers).toEqual(expected);
    expect(email({ unsubscribeMailto: 'mailto:unsubscribe@acme.test' }).headers).toEqual(expected);
  });

  it('refuses a header value that could inject headers', () => {
    expect(() => email({ publicUrl: 'https://x.test\r\nBcc: a@b.test' })).toThrow(/unsafe/);
    expect(() => email({ unsubscribeMailto: 'a@b.test>\r\nBcc: c@d.test' })).toThrow(/unsafe/);
  });

  it('shows a visible unsubscribe link in HTML and text', () => {
    const mail = email();
    expect(mail.html).toMatch(new RegExp(`<a href="${unsubscribe}"[^>]*>Unsubscribe</a>`));
    expect(mail.text).toContain(`Unsubscribe: ${unsubscribe}`);
  });
});

describe('invitation email: plain text', () => {
  it('puts every score’s URL on its own line, plus the question and unsubscribe URL', () => {
    const { text } = email({ contactName: 'Eva' });
    const lines = text.split('\n');
    for (const [i, url] of urlsFor(range(0, 10)).entries()) {
      expect(
        lines.filter((l) => l.endsWith(url)),
        `score ${i}`,
      ).toHaveLength(1);
    }
    expect(lines).toContain(`0 (Not at all likely): ${base}/r/${token}?score=0`);
    expect(lines).toContain(`10 (Extremely likely): ${base}/r/${token}?score=10`);
    expect(text).toContain('How likely is it that you would recommend Acme to a friend or colleague?');
    expect(text).toContain(`${base}/u/${token}`);
    expect(text.startsWith('Hi Eva,\n')).toBe(true);
    expect(text).not.toMatch(/<[a-z]/i);
  });
});
