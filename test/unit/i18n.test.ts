import { describe, expect, it } from 'vitest';
import { errorStatuses, type Messages } from '../../shared/i18n/catalogue.ts';
import { fill, formatDateTime, placeholdersOf } from '../../shared/i18n/format.ts';
import { directionOf, messages } from '../../shared/i18n/messages.ts';
import { pickLocale } from '../../shared/i18n/pick-locale.ts';
import { surveyTexts } from '../../shared/i18n/survey-texts.ts';
import { supportedLocales } from '../../shared/locales.ts';
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

/** Every leaf of a catalogue as [dotted key, text]. */
function leaves(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'string') return [[prefix, value]];
  if (value === null || typeof value !== 'object') throw new Error(`${prefix} is not text`);
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('message catalogues', () => {
  const english = new Map(leaves(messages('en')));

  it.each(supportedLocales)('%s has exactly the English keys, none empty, same placeholders', (locale) => {
    const own = new Map(leaves(messages(locale)));
    expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of own) {
      expect(text.trim(), `${locale} ${key}`).not.toBe('');
      expect(placeholdersOf(text), `${locale} ${key}`).toEqual(placeholdersOf(english.get(key) ?? ''));
    }
  });

  it('has a title and text for every error status a page can answer', () => {
    for (const locale of supportedLocales) {
      const errors: Messages['errors'] = messages(locale).errors;
      expect(Object.keys(errors).map(Number).sort()).toEqual([...errorStatuses].sort());
    }
  });

  it('asks the standard questions, with the seeds’ wording in Swedish and Chinese', () => {
    const acme = (locale: (typeof supportedLocales)[number], kind: Survey['kind'] = 'nps') =>
      fill(messages(locale).question[kind], { company: 'Acme' });
    expect(acme('en')).toBe('How likely is it that you would recommend Acme to a friend or colleague?');
    expect(acme('sv')).toBe('Hur troligt är det att du skulle rekommendera Acme till en vän eller kollega?');
    expect(acme('zh-CN')).toBe('您有多大可能向朋友或同事推荐Acme?');
    expect(acme('zh-TW')).toBe('您有多大可能向朋友或同事推薦Acme?');
    expect(acme('en', 'csat')).toBe('How satisfied are you with Acme?');
    expect(acme('en', 'ces')).toBe('Acme made it easy for me to handle my issue.');
    expect(messages('en').endLabels.ces).toEqual({ low: 'Strongly disagree', high: 'Strongly agree' });
    expect(messages('sv').endLabels.nps.low).toBe('Inte alls troligt');
  });

  it('writes every supported locale left to right', () => {
    for (const locale of supportedLocales) expect(directionOf(locale)).toBe('ltr');
  });
});

describe('fill', () => {
  it('fills known placeholders once and leaves unknown ones', () => {
    expect(fill('{company} until {date} {nope}', { company: '{date}', date: 'Monday' })).toBe(
      '{date} until Monday {nope}',
    );
  });
});

describe('formatDateTime', () => {
  const closes = '2025-03-05T13:00:00.000Z';
  it('writes the moment in the reader’s language and the survey’s zone', () => {
    expect(formatDateTime(closes, 'en', 'Europe/Stockholm')).toMatch(/March 5, 2025.*2:00/);
    expect(formatDateTime(closes, 'sv', 'Europe/Stockholm')).toMatch(/5 mars 2025.*14:00/);
    expect(formatDateTime(closes, 'zh-CN', 'Asia/Shanghai')).toContain('2025年3月5日');
    expect(formatDateTime(closes, 'zh-TW', 'Asia/Taipei')).toContain('2025年3月5日');
  });
  it('falls back to UTC for an unknown zone and to the input for no date', () => {
    expect(formatDateTime(closes, 'en', 'Nowhere/Land')).toMatch(/1:00/);
    expect(formatDateTime('soon', 'en')).toBe('soon');
  });
});

describe('surveyTexts', () => {
  it('uses the built-in texts when the survey sets none', () => {
    const t = surveyTexts(survey(), 'sv');
    expect(t.subject).toBe('En snabb fråga från Acme');
    expect(t.question).toBe('Hur troligt är det att du skulle rekommendera Acme till en vän eller kollega?');
    expect(t.followUp.detractor).toBe('Vad tråkigt att höra. Vad kan Acme göra bättre?');
    expect(t.lowLabel).toBe('Inte alls troligt');
    expect(t.highLabel).toBe('Extremt troligt');
  });

  it('uses survey-level texts only in the survey’s default locale', () => {
    const s = survey({
      defaultLocale: 'en',
      subject: 'Tell us, {company}',
      intro: 'Hello there',
      thankYou: 'Much obliged',
      followUp: { promoter: 'Why so happy?' },
    });
    const en = surveyTexts(s, 'en');
    expect([en.subject, en.intro, en.thankYou, en.followUp.promoter]).toEqual([
      'Tell us, Acme',
      'Hello there',
      'Much obliged',
      'Why so happy?',
    ]);
    const sv = surveyTexts(s, 'sv');
    expect(sv.subject).toBe(messages('sv').email.subject.replace('{company}', 'Acme'));
    expect(sv.intro).toBe(messages('sv').email.intro);
    expect(sv.thankYou).toBe('Din återkoppling hjälper Acme att bli bättre.');
    expect(sv.followUp.promoter).toBe('Vad roligt att höra! Vad uppskattar du mest med Acme?');
  });

  it('prefers the locale’s own overrides, skipping empty ones', () => {
    const s = survey({
      subject: 'English subject',
      followUp: { passive: 'EN passive' },
      locales: {
        en: { subject: '', intro: 'EN override intro' },
        sv: { subject: 'Svensk rubrik', followUp: { passive: 'SV passiv' }, companyName: 'Acme AB' },
      },
    });
    expect(surveyTexts(s, 'en').subject).toBe('English subject');
    expect(surveyTexts(s, 'en').intro).toBe('EN override intro');
    expect(surveyTexts(s, 'en').followUp.passive).toBe('EN passive');
    const sv = surveyTexts(s, 'sv');
    expect([sv.subject, sv.followUp.passive, sv.company]).toEqual(['Svensk rubrik', 'SV passiv', 'Acme AB']);
    expect(sv.question).toContain('rekommendera Acme AB');
  });

  it('keeps the brand name in every locale, and says "our company" only when there is none', () => {
    expect(surveyTexts(survey({ defaultLocale: 'en' }), 'zh-CN').company).toBe('Acme');
    const nameless = survey({ kind: 'ces', scale: { min: 1, max: 7 }, companyName: '' });
    expect(surveyTexts(nameless, 'en').question).toBe('Our company made it easy for me to handle my issue.');
    expect(surveyTexts(nameless, 'sv').question).toBe(
      'Vårt företag gjorde det enkelt för mig att hantera mitt ärende.',
    );
  });

  it('builds reminder texts from the original subject unless the locale overrides them', () => {
    const s = survey({ subject: 'How are we doing?' });
    expect(surveyTexts(s, 'en').reminderSubject).toBe('Reminder: How are we doing?');
    expect(surveyTexts(s, 'sv').reminderSubject).toBe('Påminnelse: En snabb fråga från Acme');
    const own = survey({
      locales: { en: { reminderSubject: 'Still there, {company}?', reminderIntro: 'Nudge' } },
    });
    expect(surveyTexts(own, 'en').reminderSubject).toBe('Still there, Acme?');
    expect(surveyTexts(own, 'en').reminderIntro).toBe('Nudge');
  });
});

describe('pickLocale', () => {
  it('takes the contact’s locale when supported', () => {
    expect(pickLocale({ contactLocale: 'sv-SE', acceptLanguage: 'en', surveyDefault: 'en' })).toBe('sv');
    expect(pickLocale({ contactLocale: 'zh-Hant-HK', surveyDefault: 'en' })).toBe('zh-TW');
  });
  it('then the first supported Accept-Language', () => {
    expect(
      pickLocale({
        contactLocale: 'de-DE',
        acceptLanguage: 'de, fr;q=0.9, zh-CN;q=0.8',
        surveyDefault: 'en',
      }),
    ).toBe('zh-CN');
    expect(pickLocale({ contactLocale: null, acceptLanguage: 'sv;q=0.5, zh-TW', surveyDefault: 'en' })).toBe(
      'zh-TW',
    );
  });
  it('then the survey’s default', () => {
    expect(pickLocale({ contactLocale: 'de', acceptLanguage: 'fr', surveyDefault: 'sv' })).toBe('sv');
    expect(pickLocale({ surveyDefault: 'zh-TW' })).toBe('zh-TW');
  });
});
