/**
 * The HTTP side of the dashboard: HTML answers with the strict CSP (stylesheet by hash, script by
 * nonce), redirects, the session cookie, the query's small parsers and error pages. The use cases
 * live in shared/; this file only translates between them and HTTP.
 */
import type { Session } from '../../../shared/auth/sessions.ts';
import { sessionCookie, sessionCookiePath, sessionLifetimeMs } from '../../../shared/auth/sessions.ts';
import { optionalEnv } from '../../../shared/config.ts';
import { renderDashboardErrorPage } from '../../../shared/dashboard/error-page.ts';
import type { View } from '../../../shared/dashboard/layout.ts';
import { dashboardCssHash } from '../../../shared/dashboard/style.ts';
import { AppError } from '../../../shared/errors.ts';
import { type HttpEvent, type HttpResult, header } from '../../../shared/http.ts';
import { pageHeaders } from '../../../shared/pages/headers.ts';

export interface DashboardRequest {
  event: HttpEvent;
  view: View;
  /** The signed-in session (every route but sign-in's). */
  session?: Session;
  /** A POST's form fields, already checked for the CSRF token. */
  fields: URLSearchParams;
}

export type DashboardAction = (req: DashboardRequest) => Promise<HttpResult>;

/** Served over HTTPS: API Gateway says so in X-Forwarded-Proto; the AWS stack also sets HSTS. */
export const isSecure = (event: HttpEvent): boolean =>
  header(event, 'x-forwarded-proto') === 'https' || optionalEnv('HSTS') === '1';

export function htmlResult(
  req: Pick<DashboardRequest, 'event' | 'view'>,
  status: number,
  body: string,
): HttpResult {
  return {
    statusCode: status,
    headers: {
      ...pageHeaders({
        nonce: req.view.nonce,
        hsts: optionalEnv('HSTS') === '1',
        styleHash: dashboardCssHash,
        connectSelf: true,
      }),
      'cache-control': 'no-store',
      // No token is ever in a dashboard URL; same-origin lets the browser send Origin with our own
      // forms (with no-referrer it sends "Origin: null"), so the same-origin check can see it.
      'referrer-policy': 'same-origin',
      vary: 'Accept-Language, Cookie',
    },
    body,
  };
}

/** 303 See Other: after a form, the browser fetches the next page with GET. */
export const redirect = (location: string, cookies?: string[]): HttpResult => ({
  statusCode: 303,
  headers: { location, 'cache-control': 'no-store' },
  ...(cookies && { cookies }),
});

export function sessionCookieHeader(event: HttpEvent, value: string): string {
  const secure = isSecure(event) ? '; Secure' : '';
  return `${sessionCookie}=${value}; Path=${sessionCookiePath}; Max-Age=${Math.floor(sessionLifetimeMs / 1000)}; HttpOnly; SameSite=Strict${secure}`;
}

export function clearedSessionCookie(event: HttpEvent): string {
  const secure = isSecure(event) ? '; Secure' : '';
  return `${sessionCookie}=; Path=${sessionCookiePath}; Max-Age=0; HttpOnly; SameSite=Strict${secure}`;
}

/** A dashboard path to come back to after signing in; anything else becomes the overview. */
export function safeNext(next: string | null | undefined): string {
  if (
    !next ||
    !/^\/admin(?:[/?][^\s\\]*)?$/.test(next) ||
    next.includes('//') ||
    next.startsWith('/admin/sign-')
  ) {
    return '/admin';
  }
  return next;
}

/**
 * The sign-in page, remembering where the visitor was going (GETs only: a form cannot be replayed),
 * and saying why when a session cookie came along but no longer opens anything.
 */
export function toSignIn(event: HttpEvent, hadCookie: boolean): HttpResult {
  const method = event.requestContext?.http?.method ?? 'GET';
  const here = `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  const query = new URLSearchParams();
  if (hadCookie) query.set('notice', 'expired');
  if (method === 'GET' && here !== '/admin') query.set('next', safeNext(here));
  const text = query.toString();
  return redirect(`/admin/sign-in${text ? `?${text}` : ''}`);
}

const statuses = [400, 403, 404, 409, 413, 429, 500, 503] as const;
const busyErrors = new Set([
  'TransactionConflictException',
  'TransactionCanceledException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/** Any error as a page; a 5xx never shows its cause. */
export function errorResult(req: Pick<DashboardRequest, 'event' | 'view'>, err: unknown): HttpResult {
  let status: (typeof statuses)[number] = 500;
  let detail: string | undefined;
  if (err instanceof AppError) {
    const known = statuses.find((s) => s === err.status);
    status = known ?? (err.status === 415 ? 400 : 500);
    detail = err.message;
  } else {
    // DynamoDB busy (throttled, or a transaction holding the same item): nothing was done; try again.
    const name = (err as { name?: string } | null)?.name;
    if (name && busyErrors.has(name)) status = 503;
    else console.error('dashboard: unhandled error', err);
  }
  return htmlResult(req, status, renderDashboardErrorPage(req.view, status, detail));
}

/** An optional whole number from the query, within a range; anything else is ignored. */
export function intParam(value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || !/^-?\d{1,3}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}
