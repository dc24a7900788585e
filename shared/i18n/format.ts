/** Filling message templates and formatting numbers and dates for a locale. */
import type { Locale } from '../locales.ts';

/**
 * Replaces each {name} with its value. One pass, so a value that itself contains braces (a company
 * called "{date}") is never expanded again; unknown placeholders stay as written.
 */
export function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The placeholder names a template uses, sorted. */
export const placeholdersOf = (template: string): string[] =>
  [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

// Building a NumberFormat costs tens of microseconds, and an email's scale shows eleven numbers: one per locale.
const numberFormats = new Map<Locale, Intl.NumberFormat>();

export function formatNumber(n: number, locale: Locale): string {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale);
    numberFormats.set(locale, format);
  }
  return format.format(n);
}

/**
 * A moment as the reader of `locale` writes it, with the zone named, because "until 14:00" is
 * ambiguous for a recipient in another time zone. Falls back to the input when it is no date.
 */
// Building a DateTimeFormat costs far more than using one: keep one per locale and zone.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(locale: Locale, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
      timeZone,
    });
    if (dateTimeFormats.size > 200) dateTimeFormats.clear();
    dateTimeFormats.set(key, format);
  }
  return format;
}

// Formatting with a zone name costs tens of microseconds; the same few moments (a wave's closing
// time) are shown on every page of a wave, so the texts are kept too.
const formatted = new Map<string, string>();

export function formatDateTime(iso: string, locale: Locale, timeZone = 'UTC'): string {
  const key = `${iso}|${locale}|${timeZone}`;
  const known = formatted.get(key);
  if (known !== undefined) return known;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    const text = dateTimeFormat(locale, timeZone).format(date);
    if (formatted.size > 1000) formatted.clear();
    formatted.set(key, text);
    return text;
  } catch {
    // An unknown zone (the schema checks it, but stored data may predate the check) must not break a page.
    return formatDateTime(iso, locale, 'UTC');
  }
}
