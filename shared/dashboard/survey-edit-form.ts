/**
 * The edit form's fields as a survey patch: texts trimmed, empty ones meaning "the built-in text",
 * per-language texts only where something was written, benchmark bands read from "from, to, name"
 * lines. The result is validated by the API's own schema, so the form cannot store what the API
 * would refuse.
 */
import { supportedLocales } from '../locales.ts';
import { segmentsOf } from '../scoring.ts';
import type { LocaleTexts, Survey } from '../survey/schema.ts';
import { localeTextFields } from './survey-edit-page.ts';

export function editPatchOf(
  survey: Survey,
  fields: URLSearchParams,
): { patch: Record<string, unknown>; problem?: string } {
  const get = (name: string) => (fields.get(name) ?? '').replace(/\r\n/g, '\n').trim();
  const followUpOf = (prefix: string) => {
    const out: Record<string, string> = {};
    for (const segment of segmentsOf(survey.kind)) {
      const value = get(`${prefix}followUp.${segment}`);
      if (value !== '') out[segment] = value;
    }
    return out;
  };
  const locales: Record<string, LocaleTexts> = {};
  for (const locale of supportedLocales) {
    const texts: Record<string, unknown> = {};
    for (const field of localeTextFields) {
      const value = get(`locales.${locale}.${field}`);
      if (value !== '') texts[field] = value;
    }
    const followUp = followUpOf(`locales.${locale}.`);
    if (Object.keys(followUp).length) texts.followUp = followUp;
    if (Object.keys(texts).length) locales[locale] = texts as LocaleTexts;
  }
  const branding: Record<string, string> = {};
  if (get('logoUrl') !== '') branding.logoUrl = get('logoUrl');
  if (get('accentColor') !== '') branding.accentColor = get('accentColor');

  const patch: Record<string, unknown> = {
    name: get('name'),
    companyName: get('companyName'),
    subject: get('subject'),
    intro: get('intro'),
    thankYou: get('thankYou'),
    followUp: followUpOf(''),
    locales,
    branding,
    defaultLocale: get('defaultLocale') || survey.defaultLocale,
  };
  const mode = get('benchmark');
  if (mode === 'none') patch.benchmark = null;
  else if (mode === 'default' || mode === '') patch.benchmark = 'default';
  else if (mode === 'custom') {
    const bands = [];
    const lines = get('benchmarkBands')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    for (const [i, line] of lines.entries()) {
      const match = /^(-?\d+(?:\.\d+)?)\s*[,;]\s*(-?\d+(?:\.\d+)?)\s*[,;]\s*(.+)$/.exec(line);
      if (!match)
        return { patch, problem: `benchmark band ${i + 1}: write "from, to, name", e.g. "0, 30, good"` };
      bands.push({ from: Number(match[1]), to: Number(match[2]), label: (match[3] ?? '').trim() });
    }
    patch.benchmark = { bands, source: get('benchmarkSource') };
  } else {
    return { patch, problem: 'benchmark: choose one of the three' };
  }
  return { patch };
}
