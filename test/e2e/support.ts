/**
 * Helpers for the browser tests: one local stack (in this worker's process, in-memory DynamoDB
 * Local, free ports, a temporary data folder) and one headless Debian Chromium per test file, the
 * admin API with the stack's key, the SES stand-in's outbox, the links of an email, and polling
 * for the score (the aggregates follow the invitations stream asynchronously).
 *
 * The handlers read process.env, so there is one stack per process: each test file starts its own
 * in `beforeAll` and stops it in `afterAll` (the e2e project runs files one at a time).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The Chromium of STACK.md: Debian's package, never a downloaded one. */
export const chromiumPath = '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const phone: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
};
export const desktop: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };

export const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: T;
}

export interface RequestOptions {
  method?: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** An email as aws-ses-v2-local keeps it (`GET /store`). */
export interface OutboxEmail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

export interface Wave {
  id: string;
  surveyId: string;
  status: 'sending' | 'open' | 'closed';
  counts: Record<string, number | undefined>;
}

export interface Score {
  kind: string;
  responses: number;
  distribution: Record<string, number | undefined>;
  nps?: number;
  promoters?: number;
  passives?: number;
  detractors?: number;
}

export interface Contact {
  id: string;
  email: string;
  locale?: string;
  status: string;
  feedback?: Record<string, { lastRating?: number; lastComment?: string } | undefined>;
}

export interface E2E {
  stack: LocalStack;
  browser: Browser;
  /** The gateway's base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Calls the gateway with the admin key. */
  api<T = unknown>(path: string, options?: RequestOptions): Promise<ApiAnswer<T>>;
  /** Calls the gateway without the admin key (the public pages). */
  fetchPublic(path: string, options?: RequestOptions): Promise<ApiAnswer<string>>;
  stop(): Promise<void>;
}

/** Starts the stack and the browser; `name` names the log file in .test-data/. */
export async function startE2E(name: string): Promise<E2E> {
  const logDir = join(repoRoot, '.test-data');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `e2e-${name}.log`);
  const log = (line: string) => {
    appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
    if (process.env.NPSWAVE_TEST_LOG === '1') process.stderr.write(`[npswave] ${line}\n`);
  };
  const dataDir = await mkdtemp(join(tmpdir(), `npswave-e2e-${name}-`));
  const [stackStart, browserStart] = await Promise.allSettled([
    startLocalStack({ dataDir, port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, log }),
    chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true }),
  ]);
  if (stackStart.status === 'rejected' || browserStart.status === 'rejected') {
    if (stackStart.status === 'fulfilled') await stackStart.value.stop();
    if (browserStart.status === 'fulfilled') await browserStart.value.close();
    await rm(dataDir, { recursive: true, force: true });
    throw stackStart.status === 'rejected'
      ? stackStart.reason
      : (browserStart as PromiseRejectedResult).reason;
  }
  const stack = stackStart.value;
  const browser = browserStart.value;

  const call = async <T>(path: string, options: RequestOptions, key: boolean): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (key) headers.authorization = `Bearer ${stack.adminKey}`;
    let body: string | undefined;
    if (typeof options.body === 'string') body = options.body;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${stack.url}${path}`, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json: json as T };
  };

  return {
    stack,
    browser,
    url: stack.url,
    api: (path, options = {}) => call(path, options, true),
    fetchPublic: async (path, options = {}) => {
      const answer = await call<unknown>(path, options, false);
      return { ...answer, json: answer.text };
    },
    stop: async () => {
      await browser.close().catch(() => {});
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Fails with the answer's body when the status is not the expected one. */
export function expectStatus<T>(answer: ApiAnswer<T>, status: number, what: string): T {
  if (answer.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${answer.status}: ${answer.text.slice(0, 500)}`);
  }
  return answer.json;
}

/** Polls `read` until `done` holds for its value; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

export interface SeedContact {
  email: string;
  name?: string;
  locale?: string;
}

export interface Seeded {
  surveyId: string;
  waveId: string;
  contacts: Contact[];
  /** The invitation email of each contact, by email address. */
  emails: Map<string, OutboxEmail>;
}

/**
 * Creates the contacts and an NPS survey, publishes it, starts a wave, waits until the wave is open
 * and every contact's invitation is in the outbox.
 */
export async function seedNpsWave(
  e2e: E2E,
  contacts: SeedContact[],
  survey: Record<string, unknown> = {},
): Promise<Seeded> {
  const created = expectStatus(
    await e2e.api<{ created: number; errors: unknown[] }>('/api/contacts', { body: { contacts } }),
    200,
    'create contacts',
  );
  if (created.errors.length > 0) throw new Error(`contact errors: ${JSON.stringify(created.errors)}`);
  const { id: surveyId } = expectStatus(
    await e2e.api<{ id: string }>('/api/surveys', {
      body: { kind: 'nps', name: 'E2E NPS', companyName: 'Acme', ...survey },
    }),
    201,
    'create survey',
  );
  expectStatus(await e2e.api(`/api/surveys/${surveyId}/publish`, { method: 'POST' }), 200, 'publish');
  const { waveId } = expectStatus(
    await e2e.api<{ waveId: string }>(`/api/surveys/${surveyId}/waves`, { method: 'POST' }),
    202,
    'start wave',
  );
  await waitFor(
    `wave ${waveId} to open`,
    async () => (await e2e.api<Wave>(`/api/waves/${waveId}`)).json,
    (wave) => wave?.status === 'open',
    30_000,
  );
  const emails = new Map<string, OutboxEmail>();
  await waitFor(
    'an invitation email for every contact',
    async () => {
      for (const email of await outbox(e2e)) {
        // Only this survey's invitations: their links carry tokens that start with its id.
        if (!email.body.html?.includes(`/r/${surveyId}.`)) continue;
        const to = email.destination.to[0]?.toLowerCase();
        if (to !== undefined && !emails.has(to)) emails.set(to, email);
      }
      return emails.size;
    },
    () => contacts.every((c) => emails.has(c.email.toLowerCase())),
  );
  const stored: Contact[] = [];
  for (const c of contacts) {
    stored.push(
      expectStatus(
        await e2e.api<Contact>(`/api/contacts?email=${encodeURIComponent(c.email)}`),
        200,
        `read contact ${c.email}`,
      ),
    );
  }
  return { surveyId, waveId, contacts: stored, emails };
}

/** Every email the SES stand-in holds. */
export async function outbox(e2e: E2E): Promise<OutboxEmail[]> {
  const response = await fetch(`${e2e.stack.sesUrl}/store`);
  if (!response.ok) throw new Error(`outbox answered ${response.status}`);
  return ((await response.json()) as { emails: OutboxEmail[] }).emails;
}

const entities: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
const decodeAttribute = (value: string): string =>
  value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return entities[name.toLowerCase()] ?? whole;
  });

/** Every `href` of an HTML document, decoded, in document order. */
export function linksOf(html: string): string[] {
  return [...html.matchAll(/\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) =>
    decodeAttribute(m[1] ?? m[2] ?? ''),
  );
}

export interface EmailLinks {
  /** Score → the response page with that score chosen. */
  scores: Map<number, string>;
  unsubscribe: string;
  honeypot: string;
  /** The invitation token (from the score links). */
  token: string;
  all: string[];
}

/** The links an invitation email carries (CONTRACT.md, "Email links"); fails when one is missing. */
export function emailLinks(email: OutboxEmail, baseUrl: string): EmailLinks {
  const html = email.body.html;
  if (!html) throw new Error(`email to ${email.destination.to.join(', ')} has no HTML part`);
  const all = linksOf(html);
  const scores = new Map<number, string>();
  const tokens = new Set<string>();
  let unsubscribe: string | undefined;
  let honeypot: string | undefined;
  for (const link of all) {
    if (!link.startsWith(`${baseUrl}/`)) continue;
    const url = new URL(link);
    const [, kind, token] = url.pathname.split('/');
    if (token === undefined) continue;
    if (kind === 'r' && url.searchParams.has('score')) {
      scores.set(Number(url.searchParams.get('score')), link);
      tokens.add(decodeURIComponent(token));
    } else if (kind === 'u') unsubscribe = link;
    else if (kind === 'h') honeypot = link;
  }
  const [token, ...others] = [...tokens];
  if (token === undefined || others.length > 0)
    throw new Error(`expected one token in the score links, got ${tokens.size}`);
  if (!unsubscribe) throw new Error('the email has no unsubscribe link');
  if (!honeypot) throw new Error('the email has no honeypot link');
  return { scores, unsubscribe, honeypot, token, all };
}

/** The score of a survey once `done` holds (the stream consumer updates it asynchronously). */
export async function waitForScore(
  e2e: E2E,
  surveyId: string,
  done: (score: Score) => boolean,
  what = 'the score',
): Promise<Score> {
  return waitFor(
    `${what} of survey ${surveyId}`,
    async () => expectStatus(await e2e.api<Score>(`/api/surveys/${surveyId}/score`), 200, 'read score'),
    done,
  );
}

export interface PageRecorder {
  /** Every URL the page requested. */
  requests: string[];
  /** Every dialog (alert, confirm, prompt) a script opened. */
  dialogs: string[];
  /** Console errors and uncaught exceptions, e.g. a style or script refused by the page's own CSP. */
  errors: string[];
}

/** Records a page's requests, dialogs (dismissed) and errors. */
export function record(page: Page): PageRecorder {
  const recorder: PageRecorder = { requests: [], dialogs: [], errors: [] };
  page.on('request', (request) => recorder.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') recorder.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => recorder.errors.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    recorder.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return recorder;
}

/** A fresh context and page; the context closes with `close()`. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = desktop,
): Promise<{ context: BrowserContext; page: Page; recorder: PageRecorder; close: () => Promise<void> }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const recorder = record(page);
  return { context, page, recorder, close: () => context.close() };
}

/** Requests that went anywhere but the stack's gateway (data: URLs stay in the page). */
export const foreignRequests = (recorder: PageRecorder, baseUrl: string): string[] =>
  recorder.requests.filter((u) => !u.startsWith(`${baseUrl}/`) && !u.startsWith('data:'));

export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page with the WCAG 2.1 A/AA rules and answers its violations, one readable
 * block each. The page's CSP allows only its own nonce: open the page in a context with
 * `bypassCSP: true` so that the injected axe script may run.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async (tags) => {
    const axe = (
      window as unknown as {
        axe: { run(context: Document, options: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations;
  }, wcagTags);
  return violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'no impact'}): ${v.help} <${v.helpUrl}>\n${v.nodes
        .map(
          (n) =>
            `    ${n.target.join(' ')}: ${n.html}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
        )
        .join('\n')}`,
  );
}

/** Path and query of a URL on the stack, e.g. /r/<token>?score=9. */
export const pathOf = (url: string): string => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
