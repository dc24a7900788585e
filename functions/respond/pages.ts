/**
 * The HTTP side of the public pages: headers, forms, locale choice and error pages. The use cases
 * live in shared/; this file only translates between them and HTTP.
 */

import { optionalEnv } from '../../shared/config.ts';
import { AppError } from '../../shared/errors.ts';
import { type HttpEvent, type HttpResult, header } from '../../shared/http.ts';
import { pickLocale } from '../../shared/i18n/pick-locale.ts';
import type { Locale } from '../../shared/locales.ts';
import { renderErrorPage } from '../../shared/pages/error-page.ts';
import { newNonce, pageHeaders } from '../../shared/pages/headers.ts';

export const hsts = (): boolean => optionalEnv('HSTS') === '1';

export function htmlPage(statusCode: number, body: string, nonce: string): HttpResult {
  return { statusCode, headers: pageHeaders({ nonce, hsts: hsts() }), body };
}

export function localeFor(
  event: HttpEvent,
  contactLocale: string | undefined,
  surveyDefault: Locale,
): Locale {
  return pickLocale({
    ...(contactLocale !== undefined && { contactLocale }),
    ...(header(event, 'accept-language') !== undefined && {
      acceptLanguage: header(event, 'accept-language'),
    }),
    surveyDefault,
  });
}

const errorStatuses = [400, 403, 404, 410, 413, 429, 500] as const;
type ErrorStatus = (typeof errorStatuses)[number];

/** Any error as a page in the visitor's language; a 5xx never shows its cause. */
export function errorPage(err: unknown, locale: Locale): HttpResult {
  let status: ErrorStatus = 500;
  if (err instanceof AppError) {
    // The page says what went wrong in the visitor's language; the English message is for logs.
    status = (errorStatuses as readonly number[]).includes(err.status)
      ? (err.status as ErrorStatus)
      : err.status === 415
        ? 400
        : 500;
  } else {
    console.error('respond: unhandled error', err);
  }
  const nonce = newNonce();
  return htmlPage(status, renderErrorPage({ status, locale }), nonce);
}
