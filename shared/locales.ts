/** The locales and time zones npswave supports, and how a locale is chosen for a person. */
export const supportedLocales = ['en', 'sv', 'zh-CN', 'zh-TW'] as const;
export type Locale = (typeof supportedLocales)[number];

const aliases: Record<string, Locale> = {
  en: 'en',
  sv: 'sv',
  zh: 'zh-CN',
  'zh-cn': 'zh-CN',
  'zh-hans': 'zh-CN',
  'zh-sg': 'zh-CN',
  'zh-tw': 'zh-TW',
  'zh-hant': 'zh-TW',
  'zh-hk': 'zh-TW',
  'zh-mo': 'zh-TW',
};

/** Maps a tag such as `sv-SE`, `zh-Hant-TW` or `EN` to a supported locale, if any. */
export function toSupportedLocale(tag: string | undefined | null): Locale | undefined {
  if (!tag) return undefined;
  const lower = tag.trim().toLowerCase().replace(/_/g, '-');
  if (aliases[lower]) return aliases[lower];
  const parts = lower.split('-');
  if (parts[0] === 'zh') {
    if (parts.includes('hant') || parts.includes('tw') || parts.includes('hk') || parts.includes('mo'))
      return 'zh-TW';
    return 'zh-CN';
  }
  return aliases[parts[0] ?? ''];
}

export const isSupportedLocale = (tag: string): tag is Locale =>
  (supportedLocales as readonly string[]).includes(tag);

/** Picks the first supported locale from an Accept-Language header, by quality. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag ?? '', q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => entry.tag !== '' && entry.tag !== '*' && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const locale = toSupportedLocale(entry.tag);
    if (locale) return locale;
  }
  return undefined;
}

const zoneCache = new Map<string, boolean>();
/** Whether a string is an IANA time zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  const known = zoneCache.get(zone);
  if (known !== undefined) return known;
  let ok = false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    ok = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) || zone === 'UTC';
  } catch {
    ok = false;
  }
  zoneCache.set(zone, ok);
  return ok;
}
