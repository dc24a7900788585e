/** The built-in catalogue of each supported locale. */
import type { Locale } from '../locales.ts';
import type { Messages } from './catalogue.ts';
import { en } from './en.ts';
import { sv } from './sv.ts';
import { zhCN } from './zh-CN.ts';
import { zhTW } from './zh-TW.ts';

// A Record over Locale: adding a locale to shared/locales.ts fails to compile until it has a catalogue.
const catalogues: Record<Locale, Messages> = { en, sv, 'zh-CN': zhCN, 'zh-TW': zhTW };

export const messages = (locale: Locale): Messages => catalogues[locale];

/** Writing direction of a locale, for the `dir` attribute; none of today's locales is right-to-left. */
const rightToLeft: ReadonlySet<string> = new Set(['ar', 'fa', 'he', 'ur']);
export const directionOf = (locale: Locale): 'ltr' | 'rtl' =>
  rightToLeft.has(locale.split('-')[0] ?? '') ? 'rtl' : 'ltr';
