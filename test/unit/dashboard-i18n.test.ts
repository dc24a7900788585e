import { describe, expect, it } from 'vitest';
import { dashboardEn } from '../../shared/dashboard/i18n/en.ts';
import { dashboardMessages } from '../../shared/dashboard/i18n/messages.ts';
import { placeholdersOf } from '../../shared/i18n/format.ts';
import { supportedLocales } from '../../shared/locales.ts';

/** Every leaf of a catalogue as [dotted key, text]. */
function leaves(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'string') return [[prefix, value]];
  if (value === null || typeof value !== 'object') throw new Error(`${prefix} is not text`);
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

const english = new Map(leaves(dashboardEn));
const translated = supportedLocales.filter((locale) => locale !== 'en');

/** Names, codes and commands a reader types or looks for as written: never translated. */
const verbatim = [
  'npswave',
  'NPS',
  'CSAT',
  'CES',
  'CSV',
  'SES',
  'npx npswave surveys create --kind nps --name "Q1 NPS"',
  'POST /api/surveys',
  'npm start',
  '.npswave/admin-key',
  'AdminKeyCommand',
  'reportBy',
];

describe('dashboard catalogues', () => {
  it('gives the English catalogue for en', () => {
    expect(dashboardMessages('en')).toBe(dashboardEn);
  });

  it.each(supportedLocales)('%s has exactly the English keys, none empty, same placeholders', (locale) => {
    const own = new Map(leaves(dashboardMessages(locale)));
    expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of own) {
      expect(text.trim(), `${locale} ${key}`).not.toBe('');
      expect(placeholdersOf(text), `${locale} ${key}`).toEqual(placeholdersOf(english.get(key) ?? ''));
    }
  });

  it.each(translated)('%s is translated, not a copy of English', (locale) => {
    const own = new Map(leaves(dashboardMessages(locale)));
    const differ = [...english].filter(([key, text]) => own.get(key) !== text).length;
    expect(differ / english.size).toBeGreaterThanOrEqual(0.8);
  });

  it.each(translated)('%s keeps product names, codes and commands as written', (locale) => {
    const own = new Map(leaves(dashboardMessages(locale)));
    for (const [key, text] of english) {
      for (const term of verbatim) {
        if (text.includes(term)) expect(own.get(key), `${locale} ${key}`).toContain(term);
      }
    }
  });

  it('writes Swedish percentages with a space, as "95 %"', () => {
    for (const [key, text] of leaves(dashboardMessages('sv'))) expect(text, key).not.toMatch(/\d%/);
  });

  it.each(['zh-CN', 'zh-TW'] as const)('%s uses full-width punctuation beside Chinese text', (locale) => {
    // The bands' input format is typed by the reader with ASCII commas, so its hint shows them.
    const exempt = new Set(['edit.benchmarkBands']);
    const han = '[\\u3400-\\u9fff]';
    const halfWidth = new RegExp(`${han}[,.:;!?()]|[,:;!?(]${han}`);
    for (const [key, text] of leaves(dashboardMessages(locale))) {
      if (!exempt.has(key)) expect(text, `${locale} ${key}`).not.toMatch(halfWidth);
    }
  });
});
