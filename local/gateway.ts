/**
 * The local API Gateway: matches each request against shared/routes.ts (the same table the CDK stack
 * turns into HTTP API routes), builds the payload-2.0 event and calls the route's handler in this
 * process. Also serves the local-only `POST /_local/clock`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type HttpFunction, matchRoute, pathHasRoutes, routeKey } from '../shared/routes.ts';
import { buildHttpEvent, type RouteTarget, writeHttpResult } from './apigw-event.ts';
import type { Faults } from './faults.ts';
import type { FunctionRegistry } from './functions.ts';
import { BodyTooLargeError, closeServer, listen, readBody, sendJson } from './http-util.ts';
import { describeError, type Log, logFailure } from './log.ts';
import { loopback } from './ports.ts';
import type { SesEventFeed } from './ses-events.ts';
import type { StreamPoller } from './streams.ts';
import type { TimeTravel } from './time-travel.ts';
import { ReceiverCore, receiverPrefix, serveReceiverRoutes } from './webhook-receiver.ts';

/**
 * How long an admin read waits at most for the stream consumers (read-your-writes): a quiet stack
 * catches up in milliseconds; one whose consumers are behind a large wave answers with what they have
 * done by then, as AWS would.
 */
const readYourWritesMs = 10_000;

/** API Gateway's payload limit. */
export const maxRequestBytes = 10 * 1024 * 1024;

export interface GatewayDeps {
  functions: FunctionRegistry;
  streams: StreamPoller;
  timeTravel: TimeTravel;
  log: Log;
  /** Resolves once the handlers' environment is set; requests wait for it. */
  ready: Promise<void>;
  /** SES's events, locally (see ses-events.ts). */
  sesEvents?: SesEventFeed;
  /** NPSWAVE_FAULTS, when set: `GET /_local/faults` reports what was injected. */
  faults?: Faults | undefined;
  /** What `/_local/receiver/{name}` keeps (local/webhook-receiver.ts); the gateway makes one when absent. */
  receiver?: ReceiverCore;
}

export interface Gateway {
  port: number;
  close(): Promise<void>;
}

const errorBody = (code: string, message: string) => ({ error: { code, message } });

interface Resolved extends RouteTarget {
  fn: HttpFunction;
}

/** The route for a request, from the shared table (the dashboard's pages included). */
export function resolveRoute(method: string, path: string): Resolved | 'method-not-allowed' | undefined {
  const match = matchRoute(method, path);
  if (match)
    return { fn: match.route.fn, routeKey: routeKey(match.route), pathParameters: match.pathParameters };
  return pathHasRoutes(path) ? 'method-not-allowed' : undefined;
}

export async function startGateway(deps: GatewayDeps, port: number): Promise<Gateway> {
  const withReceiver = { ...deps, receiver: deps.receiver ?? new ReceiverCore() };
  const server: Server = createServer((req, res) => {
    handleRequest(withReceiver, req, res).catch((err: unknown) => {
      logFailure(deps.log, `gateway: ${req.method} ${req.url} failed`, err);
      if (!res.headersSent) sendJson(res, 500, errorBody('internal', 'internal error'));
      else res.end();
    });
  });
  server.requestTimeout = 0;
  const bound = await listen(server, port, loopback);
  return { port: bound, close: () => closeServer(server) };
}

async function handleRequest(
  deps: GatewayDeps & { receiver: ReceiverCore },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  await deps.ready;
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?')[0] ?? '/';

  if (path === '/_local/faults') {
    req.resume();
    if (method !== 'GET') sendJson(res, 405, errorBody('method_not_allowed', 'use GET'), { allow: 'GET' });
    else if (!deps.faults) sendJson(res, 404, errorBody('not_found', 'NPSWAVE_FAULTS is not set'));
    else sendJson(res, 200, deps.faults.report());
    return;
  }

  if (path.startsWith(`${receiverPrefix}/`)) {
    if (method !== 'GET' && fromAnotherSite(req)) {
      req.resume();
      sendJson(res, 403, errorBody('forbidden', 'the local control routes take no posts from web pages'));
      return;
    }
    await serveReceiverRoutes(deps.receiver, req, res);
    return;
  }

  if (path === '/_local/clock' || (path === '/_local/ses-event' && deps.sesEvents)) {
    if (method !== 'POST') {
      req.resume();
      sendJson(res, 405, errorBody('method_not_allowed', 'use POST'), { allow: 'POST' });
      return;
    }
    if (fromAnotherSite(req)) {
      req.resume();
      sendJson(res, 403, errorBody('forbidden', 'the local control routes take no posts from web pages'));
      return;
    }
    if (path === '/_local/clock') await advanceClock(deps, req, res);
    else if (deps.sesEvents) await injectSesEvent(deps.sesEvents, req, res);
    return;
  }

  let route: ReturnType<typeof resolveRoute>;
  try {
    route = resolveRoute(method, path);
  } catch {
    // A malformed percent-escape in a path parameter.
    req.resume();
    sendJson(res, 400, errorBody('bad_request', 'malformed path'));
    return;
  }
  if (route === undefined) {
    req.resume();
    sendJson(res, 404, errorBody('not_found', `no route for ${path}`));
    return;
  }
  if (route === 'method-not-allowed') {
    req.resume();
    const allowed = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'].filter(
      (m) => resolveRoute(m, path) instanceof Object,
    );
    sendJson(res, 405, errorBody('method_not_allowed', `${method} is not allowed on ${path}`), {
      allow: allowed.join(', '),
    });
    return;
  }

  let body: Buffer;
  try {
    body = await readBody(req, maxRequestBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      sendJson(res, 413, errorBody('too_large', 'request body is too large (10 MB at most)'), {
        connection: 'close',
      });
      return;
    }
    throw err;
  }

  // Local-only read-your-writes: on AWS the score aggregates follow the invitations stream within
  // about a second; here an admin read first lets the stream poller catch up, so a GET made right
  // after an answer was posted already counts it (tests and demos need no sleeps).
  if (method === 'GET' && (path.startsWith('/api/') || path === '/admin' || path.startsWith('/admin/'))) {
    try {
      await deps.streams.drain({ maxMs: readYourWritesMs });
    } catch (err) {
      deps.log(`gateway: stream drain failed before ${path}: ${describeError(err)}`);
    }
  }

  const event = buildHttpEvent(req, body, route);
  let result: unknown;
  try {
    result = await deps.functions.invoke(route.fn, event);
  } catch (err) {
    // API Gateway answers 500 when the integration fails; the cause stays in the log.
    logFailure(deps.log, `gateway: ${route.fn} threw on ${method} ${path}`, err);
    sendJson(res, 500, errorBody('internal', 'internal error'));
    return;
  }
  writeHttpResult(res, result);
}

/**
 * A post a web page made the browser send: a page on any site could otherwise move this laptop's
 * clock or invent bounces with a plain form (text/plain needs no preflight). Browsers say where a
 * post comes from (Sec-Fetch-Site, Origin); tests, curl and the CLI send neither.
 */
export function fromAnotherSite(req: Pick<IncomingMessage, 'headers'>): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() !== (req.headers.host ?? '').toLowerCase();
  } catch {
    return true; // "null" and other opaque origins
  }
}

/** Local-only: hands a real-shaped SES event (EventBridge form) to the sesEvents function. */
async function injectSesEvent(feed: SesEventFeed, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let input: unknown;
  try {
    input = JSON.parse((await readBody(req, 256 * 1024)).toString('utf8'));
  } catch {
    sendJson(
      res,
      400,
      errorBody('bad_request', 'expected an SES event as JSON ({"detail": {"eventType": ...}})'),
    );
    return;
  }
  const result = await feed.publish(input);
  sendJson(res, 200, result ?? {});
}

async function advanceClock(deps: GatewayDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let input: unknown;
  try {
    input = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8'));
  } catch {
    sendJson(res, 400, errorBody('bad_request', 'expected JSON {"advanceSeconds": N}'));
    return;
  }
  const seconds = (input as { advanceSeconds?: unknown } | null)?.advanceSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    sendJson(res, 400, errorBody('bad_request', 'advanceSeconds must be a number >= 0'));
    return;
  }
  const now = await deps.timeTravel.advance(seconds);
  sendJson(res, 200, { now });
}
