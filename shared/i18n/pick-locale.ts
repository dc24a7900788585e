/** Which supported locale a recipient gets. */
import { type Locale, localeFromAcceptLanguage, toSupportedLocale } from '../locales.ts';

export interface LocaleChoice {
  /** The contact's stored locale, e.g. `sv-SE`; absent for link surveys. */
  contactLocale?: string | null;
  /** The request's Accept-Language header, if any (pages only; emails have none). */
  acceptLanguage?: string;
  surveyDefault: Locale;
}

/** The contact's own locale when supported, else the browser's first supported one, else the survey's. */
export const pickLocale = ({ contactLocale, acceptLanguage, surveyDefault }: LocaleChoice): Locale =>
  toSupportedLocale(contactLocale) ?? localeFromAcceptLanguage(acceptLanguage) ?? surveyDefault;
