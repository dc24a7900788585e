/**
 * The HTTP edge shared by the API Gateway handlers: body parsing, JSON answers and the one place
 * that maps errors to responses.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as v from 'valibot';
import { AppError, badRequest } from './errors.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** Largest body accepted anywhere (API Gateway's own limit is 10 MB). */
export const maxBodyBytes = 10 * 1024 * 1024 + 64 * 1024;

export function header(event: HttpEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, val] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === lower) return val;
  }
  return undefined;
}

export function bodyText(event: HttpEvent): string {
  if (!event.body) return '';
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > maxBodyBytes) throw new AppError('too_large', 'request body is too large');
  return text;
}

export function mediaType(event: HttpEvent): string {
  return (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function jsonBody(event: HttpEvent): unknown {
  const type = mediaType(event);
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw new AppError('unsupported_media_type', `expected application/json, got ${type}`);
  }
  const text = bodyText(event);
  if (text.trim() === '') throw badRequest('request body is empty; expected JSON');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('request body is not valid JSON');
  }
}

/** Validates input against a schema, answering 400 with every problem found. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw badRequest(describeIssues(result.issues), { issues: issueList(result.issues) });
}

export function issueList(issues: readonly v.BaseIssue<unknown>[]): { path: string; message: string }[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((p) => String(p.key)).join('.'),
    message: issue.message,
  }));
}

export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issueList(issues)
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
}

const jsonHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) };
}

/** A CSV file to download (never cached: it holds personal data). */
export const csvDownload = (filename: string, body: string): HttpResult => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  },
  body,
});

export const noContent = (): HttpResult => ({ statusCode: 204, headers: { 'cache-control': 'no-store' } });

/** Maps any thrown value to a JSON error answer; a 5xx never leaks its cause. */
export function errorToJson(err: unknown): HttpResult {
  if (err instanceof AppError) {
    const body: { error: { code: string; message: string; details?: unknown } } = {
      error: { code: err.code, message: err.message },
    };
    if (err.details !== undefined) body.error.details = err.details;
    return json(err.status, body);
  }
  const name = (err as { name?: string } | null)?.name;
  if (name === 'ThrottlingException' || name === 'ProvisionedThroughputExceededException') {
    return json(429, { error: { code: 'throttled', message: 'too many requests; retry shortly' } });
  }
  console.error('unhandled error', err);
  return json(500, { error: { code: 'internal', message: 'internal error' } });
}

export function queryParam(event: HttpEvent, name: string): string | undefined {
  const value = event.queryStringParameters?.[name];
  return value === undefined || value === '' ? undefined : value;
}

export function pathParam(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === '') throw badRequest(`missing path parameter ${name}`);
  return value;
}

/**
 * Refuses cross-site form posts: a browser sends Origin (and Sec-Fetch-Site) with every POST, and a
 * page of ours posts to its own host.
 */
export function checkSameOrigin(event: HttpEvent, options: { refuseNullOrigin?: boolean } = {}): void {
  const fetchSite = header(event, 'sec-fetch-site');
  if (fetchSite === 'cross-site') throw new AppError('forbidden', 'cross-site form posts are refused');
  const origin = header(event, 'origin');
  // "null": a page under Referrer-Policy no-referrer (the public pages), or a sandboxed or opaque
  // origin. Pages that send their origin (the dashboard's) refuse it.
  if (origin === 'null' && options.refuseNullOrigin) {
    throw new AppError('forbidden', 'form posts from an opaque origin are refused');
  }
  if (origin === undefined || origin === 'null') return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError('forbidden', 'malformed Origin header');
  }
  const host = header(event, 'host') ?? event.requestContext?.domainName;
  if (host && originHost.toLowerCase() !== host.toLowerCase()) {
    throw new AppError('forbidden', 'cross-site form posts are refused');
  }
}

/** The fields of an urlencoded form body (the only kind our pages post). */
export function formFields(event: HttpEvent): URLSearchParams {
  const type = mediaType(event);
  if (type !== 'application/x-www-form-urlencoded') {
    throw new AppError(
      'unsupported_media_type',
      'the form must be posted as application/x-www-form-urlencoded',
    );
  }
  return new URLSearchParams(bodyText(event));
}

/** A cookie's value from the request (API Gateway v2 passes cookies apart from the headers). */
export function cookieValue(event: HttpEvent, name: string): string | undefined {
  for (const cookie of event.cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq > 0 && cookie.slice(0, eq).trim() === name) return cookie.slice(eq + 1).trim();
  }
  return undefined;
}
