/**
 * Driving the dashboard over HTTP as a browser would, for integration tests: sign in with the admin
 * key (the session cookie comes back), fetch pages with it, post its forms with their CSRF token.
 */
import { stack } from './helpers.ts';

export interface PageAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface Browser {
  /** The session cookie's value (`npsw_session=…`), or undefined before signing in. */
  cookie: string | undefined;
  get(path: string, headers?: Record<string, string>): Promise<PageAnswer>;
  /**
   * Posts a form (urlencoded) with the CSRF token (unless `csrf: false`) and the one-time key read
   * from the last page fetched, as the browser would send that page's form.
   */
  post(
    path: string,
    fields: Record<string, string>,
    options?: { csrf?: boolean; headers?: Record<string, string> },
  ): Promise<PageAnswer>;
  /** The CSRF token of the last page fetched. */
  csrf(): string;
}

export const setCookieOf = (headers: Headers): string[] => headers.getSetCookie();

/** The value `name=value` of a Set-Cookie header, without its attributes. */
export const cookiePair = (setCookie: string): string => setCookie.split(';')[0] ?? '';

export function browser(baseUrl = stack().url): Browser {
  let cookie: string | undefined;
  let lastHtml = '';
  const send = async (
    path: string,
    init: RequestInit & { headers?: Record<string, string> },
  ): Promise<PageAnswer> => {
    const headers: Record<string, string> = { ...init.headers };
    if (cookie && headers.cookie === undefined) headers.cookie = cookie;
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers, redirect: 'manual' });
    const text = await response.text();
    for (const set of setCookieOf(response.headers)) {
      const pair = cookiePair(set);
      if (pair.startsWith('npsw_session=')) cookie = /Max-Age=0/i.test(set) ? undefined : pair;
    }
    if (text.startsWith('<!doctype html>')) lastHtml = text;
    return { status: response.status, headers: response.headers, text };
  };
  const csrf = () => /name="csrf" value="([^"]+)"/.exec(lastHtml)?.[1] ?? '';
  const once = () => /name="once" value="([^"]+)"/.exec(lastHtml)?.[1];
  return {
    get cookie() {
      return cookie;
    },
    set cookie(value) {
      cookie = value;
    },
    get: (path, headers = {}) => send(path, { method: 'GET', headers }),
    post: (path, fields, options = {}) =>
      send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
        body: new URLSearchParams({
          ...(options.csrf === false ? {} : { csrf: csrf() }),
          ...(once() !== undefined && { once: once() as string }),
          ...fields,
        }).toString(),
      }),
    csrf,
  };
}

/** A browser signed in with the admin key (and a page fetched, so its CSRF token is known). */
export async function signedIn(key = stack().adminKey, baseUrl = stack().url): Promise<Browser> {
  const b = browser(baseUrl);
  const answer = await b.post('/admin/sign-in', { key }, { csrf: false });
  if (answer.status !== 303 || !b.cookie)
    throw new Error(`sign-in answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  const overview = await b.get('/admin');
  if (overview.status !== 200) throw new Error(`the overview answered ${overview.status}`);
  return b;
}

/** The rows of a chart's data table: key → column → raw value (`data-value`). */
export function chartTable(html: string, chartId: string): Map<string, Record<string, string>> {
  const start = html.indexOf(`id="${chartId}"`);
  if (start < 0) throw new Error(`no chart ${chartId} on the page`);
  const end = html.indexOf('</figure>', start);
  const figure = html.slice(start, end);
  const rows = new Map<string, Record<string, string>>();
  for (const row of figure.matchAll(/<tr data-key="([^"]*)">([\s\S]*?)<\/tr>/g)) {
    const cells: Record<string, string> = {};
    for (const cell of (row[2] ?? '').matchAll(/<td data-col="([^"]+)"(?: data-value="([^"]*)")?/g)) {
      cells[cell[1] ?? ''] = cell[2] ?? '';
    }
    rows.set(row[1] ?? '', cells);
  }
  return rows;
}
