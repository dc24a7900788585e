/**
 * Numbers and dates as a dashboard reader of a locale writes them. Intl formatters are costly to
 * build and cheap to use, so one of each kind is kept per locale (and zone).
 */
import type { Locale } from '../locales.ts';
import type { SurveyKind } from '../scoring.ts';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let format = cache.get(key) as T | undefined;
  if (!format) {
    format = make();
    if (cache.size > 500) cache.clear();
    cache.set(key, format);
  }
  return format;
}

const numberFormat = (locale: Locale, digits: number, signed = false) =>
  cached(
    `n|${locale}|${digits}|${signed}`,
    () =>
      new Intl.NumberFormat(locale, {
        maximumFractionDigits: digits,
        minimumFractionDigits: 0,
        ...(signed && { signDisplay: 'exceptZero' as const }),
      }),
  );

const dateFormat = (locale: Locale, timeZone: string, options: Intl.DateTimeFormatOptions, name: string) =>
  cached(`d|${locale}|${timeZone}|${name}`, () => {
    try {
      return new Intl.DateTimeFormat(locale, { ...options, timeZone });
    } catch {
      return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    }
  });

export interface Formatter {
  locale: Locale;
  /** A count or figure, grouped, at most `digits` decimals. */
  number(n: number, digits?: number): string;
  /** With its sign: +12.5, −3, 0 (NPS and changes). */
  signed(n: number, digits?: number): string;
  /** A share 0..1 as a percentage; "–" when unknown. */
  percent(share: number | null | undefined, digits?: number): string;
  /** A survey's headline figure: NPS signed with one decimal, a mean with two. */
  score(kind: SurveyKind, value: number | null | undefined): string;
  /** "± 6.1" (or "± 0.31" for means); empty when unknown. */
  margin(kind: SurveyKind, margin: number | null | undefined): string;
  /** A day, e.g. 2 Mar 2026, in the given zone. */
  date(iso: string, timeZone?: string): string;
  /** A moment with the zone named. */
  dateTime(iso: string, timeZone?: string): string;
  /** A calendar month (its first day, yyyy-mm-dd). */
  month(day: string): string;
}

const dash = '–';

export function formatterFor(locale: Locale): Formatter {
  const f: Formatter = {
    locale,
    number: (n, digits = 1) => numberFormat(locale, digits).format(n),
    signed: (n, digits = 1) => numberFormat(locale, digits, true).format(n),
    percent: (share, digits = 0) =>
      share === null || share === undefined || !Number.isFinite(share)
        ? dash
        : cached(
            `p|${locale}|${digits}`,
            () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }),
          ).format(share),
    score: (kind, value) =>
      value === null || value === undefined ? dash : kind === 'nps' ? f.signed(value, 1) : f.number(value, 2),
    margin: (kind, margin) =>
      margin === null || margin === undefined ? '' : `± ${f.number(margin, kind === 'nps' ? 1 : 2)}`,
    date: (iso, timeZone = 'UTC') => {
      const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
      if (Number.isNaN(d.getTime())) return iso;
      return dateFormat(locale, timeZone, { year: 'numeric', month: 'short', day: 'numeric' }, 'date').format(
        d,
      );
    },
    dateTime: (iso, timeZone = 'UTC') => {
      const d = new Date(iso);
      if (Number.isNaN(d.getTime())) return iso;
      return dateFormat(
        locale,
        timeZone,
        {
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          hour: 'numeric',
          minute: '2-digit',
          timeZoneName: 'short',
        },
        'dateTime',
      ).format(d);
    },
    month: (day) => {
      const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
      if (Number.isNaN(d.getTime())) return day;
      return dateFormat(locale, 'UTC', { year: 'numeric', month: 'short' }, 'month').format(d);
    },
  };
  return f;
}
