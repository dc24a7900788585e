/**
 * A webhook receiver for tests and `npm start`: it records what arrives and answers as scripted
 * (N failures, 429 with Retry-After, a sticky 410, a held answer that outlasts the sender's timeout,
 * a closed socket), so the deliver function's retries can be watched from the outside. One
 * `ReceiverCore` holds the records and the scripts; the standalone `WebhookReceiver` (a server of
 * its own, every path a delivery) and the gateway's mount both serve through it.
 *
 * The gateway's mount (local/gateway.ts), for trying hooks with `npm start`:
 *   POST|PUT /_local/receiver/{name}             a delivery: recorded, answered as scripted (200 by default)
 *   GET      /_local/receiver/{name}             {"received": [...], "behaviour": {...}} what arrived
 *   POST     /_local/receiver/{name}/behaviour   {"fail": 3, "status": 503, "retryAfter": 30, "delayMs",
 *                                                 "gone", "down", "okStatus", "body"} scripts the answers
 *   DELETE   /_local/receiver/{name}/behaviour   back to answering 200
 *   DELETE   /_local/receiver/{name}             forgets what arrived and the script
 * A name is 1 to 100 of A-Z a-z 0-9 . _ ~ -. Posts and deletes from web pages are refused (403), as on
 * the other /_local routes. Bodies are kept up to 1 MB (the rest is read and dropped, `truncated`);
 * the newest 100,000 requests are kept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as v from 'valibot';
import { describeIssues } from '../shared/http.ts';
import { listen } from './http-util.ts';
import { loopback } from './ports.ts';

export const maxKeptBodyBytes = 1024 * 1024;
export const maxKeptRequests = 100_000;
/** Bodies kept in all: a long `npm start` session must not grow without bound. */
const maxKeptBytes = 256 * 1024 * 1024;
export const receiverPrefix = '/_local/receiver';

export interface ReceivedRequest {
  /** Real time of arrival, epoch ms (not the local stack's travelling clock). */
  at: number;
  method: string;
  /** The path, without the query string. */
  path: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** The body went past 1 MB: `body` holds its first megabyte. */
  truncated?: true;
  /** The status it answered (or was holding); 0 for a socket closed without an answer (`down`). */
  status: number;
  /** The `webhook-id` header (Standard Webhooks). */
  webhookId?: string;
  /** The sender hung up before the held answer (`delayMs`) went out: it saw a timeout. */
  abandoned?: true;
}

const httpStatus = v.pipe(v.number(), v.integer(), v.minValue(200), v.maxValue(599));

const behaviourSchema = v.strictObject({
  /** Answer the next N requests with `status` (500 by default). */
  fail: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** The failures' status; without `fail`, every request fails with it. */
  status: v.optional(httpStatus),
  /** Sent as Retry-After with the failures. */
  retryAfter: v.optional(
    v.union([
      v.pipe(v.number(), v.integer(), v.minValue(0)),
      v.pipe(v.string(), v.regex(/^[\x20-\x7e]{1,100}$/, 'printable ASCII, 100 characters at most')),
    ]),
  ),
  /** Hold every answer this long (a sender with a shorter timeout sees a timeout). */
  delayMs: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(600_000))),
  /** Answer 410 from now on. */
  gone: v.optional(v.boolean()),
  /** Close the socket without an answer. */
  down: v.optional(v.boolean()),
  /** The success status, 200 by default. */
  okStatus: v.optional(httpStatus),
  /** The answers' body (a default line otherwise). */
  body: v.optional(v.pipe(v.string(), v.maxLength(maxKeptBodyBytes))),
});

export type ReceiverBehaviour = v.InferOutput<typeof behaviourSchema>;

/** What to send back: an answer, possibly held for `delayMs`, or nothing at all (`refuse`). */
export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  delayMs?: number;
  /** Close the socket without answering. */
  refuse?: boolean;
  /** The record this request made, if it was a delivery. */
  record?: ReceivedRequest;
}

interface Script extends ReceiverBehaviour {
  /** Failures still to give. */
  remaining: number;
}

/** Checks a behaviour, throwing a TypeError naming what is wrong. */
export function parseBehaviour(input: unknown): ReceiverBehaviour {
  const parsed = v.safeParse(behaviourSchema, input);
  if (!parsed.success) throw new TypeError(`bad receiver behaviour: ${describeIssues(parsed.issues)}`);
  return parsed.output;
}

const textAnswer = (status: number, body: string, headers: Record<string, string> = {}): ReceiverAnswer => ({
  status,
  headers: { 'content-type': contentTypeOf(body), 'cache-control': 'no-store', ...headers },
  body,
});

function contentTypeOf(body: string): string {
  try {
    JSON.parse(body);
    return 'application/json; charset=utf-8';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

const jsonAnswer = (status: number, value: unknown, headers: Record<string, string> = {}) =>
  textAnswer(status, JSON.stringify(value), headers);

const errorAnswer = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  jsonAnswer(status, { error: { code, message } }, headers);

const isAccepted = (r: ReceivedRequest) => r.status >= 200 && r.status < 300;

/** The records and the scripts, behind both the standalone server and the gateway's mount. */
export class ReceiverCore {
  private records: ReceivedRequest[] = [];
  private keptBytes = 0;
  private readonly scripts = new Map<string, Script>();

  /** Scripts the answers on one path (replacing its previous script). */
  behave(path: string, behaviour: ReceiverBehaviour): void {
    const b = parseBehaviour(behaviour);
    const remaining = b.fail ?? (b.status === undefined ? 0 : Number.POSITIVE_INFINITY);
    this.scripts.set(path, { ...b, remaining });
  }

  /** Back to answering 200 on one path, or on all of them. */
  reset(path?: string): void {
    if (path === undefined) this.scripts.clear();
    else this.scripts.delete(path);
  }

  /** The script of a path as it stands (`remaining` failures: null for every request). */
  behaviourOf(path: string): (ReceiverBehaviour & { remaining: number | null }) | undefined {
    const script = this.scripts.get(path);
    if (!script) return undefined;
    return { ...script, remaining: Number.isFinite(script.remaining) ? script.remaining : null };
  }

  received(path?: string): ReceivedRequest[] {
    return path === undefined ? [...this.records] : this.records.filter((r) => r.path === path);
  }

  /** The requests answered 2xx. */
  accepted(path?: string): ReceivedRequest[] {
    return this.received(path).filter(isAccepted);
  }

  /** The distinct webhook-id values among the accepted requests, as a de-duplicating receiver sees them. */
  uniqueIds(path?: string): string[] {
    const ids = new Set<string>();
    for (const r of this.accepted(path)) if (r.webhookId !== undefined) ids.add(r.webhookId);
    return [...ids];
  }

  /** Forgets what arrived (on one path, or everywhere); scripts stay. */
  clear(path?: string): void {
    this.records = path === undefined ? [] : this.records.filter((r) => r.path !== path);
    this.keptBytes = this.records.reduce((sum, r) => sum + r.body.length, 0);
  }

  /** One delivery: recorded, then answered as its path's script says. */
  deliver(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    truncated = false,
  ): ReceiverAnswer {
    const record: ReceivedRequest = { at: Date.now(), method, path, headers, body, status: 0 };
    if (truncated) record.truncated = true;
    if (headers['webhook-id'] !== undefined) record.webhookId = headers['webhook-id'];
    this.keep(record);
    const answer = this.answerFor(path);
    record.status = answer.refuse ? 0 : answer.status;
    return { ...answer, record };
  }

  private answerFor(path: string): ReceiverAnswer {
    const script = this.scripts.get(path);
    if (!script) return textAnswer(200, 'ok');
    const held = script.delayMs ? { delayMs: script.delayMs } : {};
    if (script.down) return { ...textAnswer(0, ''), ...held, refuse: true };
    if (script.gone) return { ...textAnswer(410, script.body ?? 'gone'), ...held };
    if (script.remaining > 0) {
      script.remaining -= 1;
      const status = script.status ?? 500;
      const retryAfter: Record<string, string> =
        script.retryAfter === undefined ? {} : { 'retry-after': String(script.retryAfter) };
      return { ...textAnswer(status, script.body ?? `scripted failure (${status})`, retryAfter), ...held };
    }
    return { ...textAnswer(script.okStatus ?? 200, script.body ?? 'ok'), ...held };
  }

  private keep(record: ReceivedRequest): void {
    this.records.push(record);
    this.keptBytes += record.body.length;
    const excess = Math.max(
      this.records.length - maxKeptRequests,
      this.keptBytes > maxKeptBytes ? Math.ceil(this.records.length / 10) : 0,
    );
    if (excess > 0) {
      for (const dropped of this.records.splice(0, excess)) this.keptBytes -= dropped.body.length;
    }
  }

  /**
   * The gateway's `/_local/receiver/...` routes (see the top of this file). The gateway refuses
   * cross-site writes before it calls this.
   */
  control(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    truncated = false,
  ): ReceiverAnswer {
    const match = /^\/_local\/receiver\/([A-Za-z0-9._~-]{1,100})(\/behaviour)?$/.exec(path);
    if (!match) return errorAnswer(404, 'not_found', `no receiver at ${path}: use ${receiverPrefix}/{name}`);
    const receiverPath = `${receiverPrefix}/${match[1]}`;
    if (match[2]) return this.controlBehaviour(method, receiverPath, body);
    switch (method) {
      case 'POST':
      case 'PUT':
        return this.deliver(method, path, headers, body, truncated);
      case 'GET':
        return jsonAnswer(200, {
          received: this.received(receiverPath),
          behaviour: this.behaviourOf(receiverPath) ?? {},
        });
      case 'DELETE':
        this.clear(receiverPath);
        this.reset(receiverPath);
        return textAnswer(204, '');
      default:
        return errorAnswer(405, 'method_not_allowed', `${method} is not allowed on ${path}`, {
          allow: 'GET, POST, PUT, DELETE',
        });
    }
  }

  private controlBehaviour(method: string, receiverPath: string, body: string): ReceiverAnswer {
    if (method === 'DELETE') {
      this.reset(receiverPath);
      return textAnswer(204, '');
    }
    if (method !== 'POST') {
      return errorAnswer(405, 'method_not_allowed', 'use POST (or DELETE to reset)', {
        allow: 'POST, DELETE',
      });
    }
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return errorAnswer(400, 'bad_request', 'expected JSON such as {"fail": 3, "status": 503}');
    }
    try {
      this.behave(receiverPath, parseBehaviour(input));
    } catch (err) {
      return errorAnswer(400, 'bad_request', (err as Error).message);
    }
    return jsonAnswer(200, { behaviour: this.behaviourOf(receiverPath) });
  }
}

/** Reads the whole body, keeping its first `limit` bytes. */
async function readKept(req: IncomingMessage, limit: number): Promise<{ body: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    const take = chunk.subarray(0, Math.max(0, limit - size));
    if (take.length < chunk.length) truncated = true;
    if (take.length > 0) chunks.push(take);
    size += take.length;
  }
  return { body: Buffer.concat(chunks).toString('utf8'), truncated };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

type Handle = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  truncated: boolean,
) => ReceiverAnswer;

/** Reads a request, lets the core answer it, and sends (or holds, or refuses) the answer. */
export async function serveThrough(handle: Handle, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { body, truncated } = await readKept(req, maxKeptBodyBytes);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const answer = handle(req.method ?? 'GET', path, headersOf(req), body, truncated);
  const send = () => {
    if (answer.refuse) {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, {
      ...answer.headers,
      'content-length': String(Buffer.byteLength(answer.body)),
    });
    res.end(answer.body);
  };
  if (!answer.delayMs) {
    send();
    return;
  }
  const timer = setTimeout(send, answer.delayMs);
  res.on('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished && !answer.refuse && answer.record) answer.record.abandoned = true;
  });
}

/** The gateway's mount: serves `/_local/receiver/...` through a core. */
export function serveReceiverRoutes(core: ReceiverCore, req: IncomingMessage, res: ServerResponse) {
  return serveThrough((...args) => core.control(...args), req, res);
}

/** A receiver on a port of its own: every request on every path is a delivery. */
export class WebhookReceiver extends ReceiverCore {
  private readonly server: Server = createServer((req, res) => {
    serveThrough((...args) => this.deliver(...args), req, res).catch(() => {
      // The sender hung up mid-body: nothing to answer.
      res.destroy();
    });
  });
  private host = loopback;
  private boundPort = 0;

  private constructor() {
    super();
    this.server.requestTimeout = 0;
  }

  /** Listens on `port` (0, the default: a free one) of `host` (127.0.0.1). */
  static async start(options: { port?: number; host?: string } = {}): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.host = options.host ?? loopback;
    receiver.boundPort = await listen(receiver.server, options.port ?? 0, receiver.host);
    return receiver;
  }

  get port(): number {
    return this.boundPort;
  }

  url(path = '/hook'): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? loopback : this.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}${path}`;
  }

  /**
   * Resolves with the received list once `predicate` holds (looked at every 20 ms); rejects after
   * `timeoutMs` listing what did arrive.
   */
  async waitFor(predicate: (received: ReceivedRequest[]) => boolean, timeoutMs = 5_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const received = this.received();
      if (predicate(received)) return received;
      if (Date.now() >= until)
        throw new Error(`webhook receiver: not satisfied after ${timeoutMs} ms; ${arrivals(received)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Closes the port at once, dropping held answers and keep-alive connections. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function arrivals(received: ReceivedRequest[]): string {
  if (received.length === 0) return 'nothing arrived';
  const lines = received
    .slice(-20)
    .map(
      (r) =>
        `  ${new Date(r.at).toISOString()} ${r.method} ${r.path} → ${r.status || 'closed'}` +
        `${r.webhookId ? ` webhook-id ${r.webhookId}` : ''}${r.abandoned ? ' (sender gave up)' : ''}`,
    );
  const skipped = received.length > 20 ? ` (the last 20 shown)` : '';
  return `${received.length} arrived${skipped}:\n${lines.join('\n')}`;
}
