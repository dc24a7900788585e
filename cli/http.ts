/**
 * The admin API client: the only way the tool reaches npswave. It picks the stack (`--url` /
 * NPSWAVE_URL) and the key (`--key` / NPSWAVE_ADMIN_KEY), and turns every failure — an error
 * answer, a network error — into a one-line CliError.
 */
import { CliError, oneLine, UsageError } from './errors.ts';

export const defaultUrl = 'http://127.0.0.1:3000';

export interface ApiConfig {
  baseUrl: string;
  key: string | undefined;
}

/** Flags win over the environment; the URL is checked here so a typo is a usage error (exit 2). */
export function apiConfig(
  flags: { url?: string | undefined; key?: string | undefined },
  env: NodeJS.ProcessEnv,
): ApiConfig {
  const raw = flags.url ?? nonEmpty(env.NPSWAVE_URL) ?? defaultUrl;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid --url "${raw}": expected e.g. ${defaultUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid --url "${raw}": expected an http:// or https:// address`);
  }
  // Keep any path prefix (an API Gateway stage, a reverse proxy) and drop the trailing slash.
  const baseUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  return { baseUrl, key: flags.key ?? nonEmpty(env.NPSWAVE_ADMIN_KEY) };
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string;
  accept?: string;
  /** Retry throttling, 5xx gateway errors and dropped connections: only for idempotent requests. */
  retry?: boolean;
}

/** An error answer of the admin API, `{"error": {"code", "message"}}`. */
export class ApiError extends CliError {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const retryStatuses = new Set([429, 502, 503, 504]);
const maxRetries = 4;

export class AdminApi {
  /** Set once any request got an answer: after that, a dropped connection is worth a retry. */
  private reached = false;

  constructor(readonly config: ApiConfig) {}

  /** Sends a request and answers the response when its status is 2xx; throws a CliError otherwise. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const key = this.config.key;
    if (key === undefined) {
      throw new CliError('no admin key: pass --key KEY or set NPSWAVE_ADMIN_KEY (npm start prints the key)');
    }
    const url = this.urlOf(path, options.query);
    const headers: Record<string, string> = {
      authorization: `Bearer ${key}`,
      accept: options.accept ?? 'application/json',
    };
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    for (let attempt = 0; ; attempt++) {
      const canRetry = options.retry === true && attempt < maxRetries;
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body: options.body });
      } catch (err) {
        if (canRetry && this.reached) {
          await sleep(backoffMs(attempt));
          continue;
        }
        throw this.unreachable(err);
      }
      this.reached = true;
      if (response.ok) return response;
      if (canRetry && retryStatuses.has(response.status)) {
        await response.body?.cancel();
        await sleep(retryAfterMs(response) ?? backoffMs(attempt));
        continue;
      }
      throw await errorOf(response, method, path);
    }
  }

  /** Sends a request and answers its JSON body (undefined for a 204). */
  async json(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const response = await this.request(method, path, options);
    if (response.status === 204) return undefined;
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new CliError(`the server's answer to ${method} ${path} is not JSON (HTTP ${response.status})`);
    }
  }

  private urlOf(path: string, query: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(name, value);
    }
    const search = params.toString();
    return `${this.config.baseUrl}${path}${search === '' ? '' : `?${search}`}`;
  }

  private unreachable(err: unknown): CliError {
    const base = this.config.baseUrl;
    const cause = causeCode(err);
    const host = new URL(base).hostname;
    const local = ['127.0.0.1', 'localhost', '[::1]', '::1', '0.0.0.0'].includes(host);
    const hint = local ? 'is npm start running?' : (cause ?? 'network error');
    return new CliError(`cannot reach ${base} (${hint})`);
  }
}

/** Turns an error answer into one line: the server's message, the status and code, and a hint. */
async function errorOf(response: Response, method: string, path: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  const parsed = parseErrorBody(text);
  const status = response.status;
  const code = parsed?.code;
  const what =
    parsed?.message ?? `the server answered ${method} ${path} with HTTP ${status} ${response.statusText}`;
  const tag = parsed === undefined ? '' : ` (HTTP ${status}${code === undefined ? '' : ` ${code}`})`;
  const hint =
    status === 401
      ? '; pass --key KEY or set NPSWAVE_ADMIN_KEY'
      : status === 403
        ? '; check --key or NPSWAVE_ADMIN_KEY'
        : '';
  return new ApiError(`${oneLine(what)}${tag}${hint}`, status, code);
}

function parseErrorBody(text: string): { code: string | undefined; message: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error: unknown = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : undefined;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (message === undefined && code === undefined) return undefined;
  return { code, message: message ?? code ?? '' };
}

function causeCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const cause: unknown = err.cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return undefined;
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : undefined;
}

const backoffMs = (attempt: number): number => 500 * 2 ** attempt;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
