/**
 * One local stack per bench process, started in-process (in-memory DynamoDB Local, free ports) with
 * the real handler modules wrapped so that the benches can tell whose work is whose: each handler
 * runs inside an AsyncLocalStorage scope naming its function, a middleware on the shared DynamoDB
 * client counts the commands issued in each scope, and the `score` stream consumer can be paused.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { dynamo } from '../../shared/aws/clients.ts';
import { progress } from './figure.ts';

type Instrumented = 'api' | 'respond' | 'score';
type Handler = (event: never, context: Context) => unknown;

const scope = new AsyncLocalStorage<Instrumented>();
const modules: Record<Instrumented, () => Promise<{ handler: unknown }>> = {
  api: () => import('../../functions/api/handler.ts'),
  respond: () => import('../../functions/respond/handler.ts'),
  score: () => import('../../functions/score/handler.ts'),
};

/**
 * Each handler, imported once. A dynamic `import()` per call goes through tsx's loader hooks (a
 * message to its worker thread) every time: measured at about 0.7 ms of CPU per call, which is the
 * bench's cost, not the handler's (the local stack's own registry imports each handler once too).
 */
const loaded = new Map<Instrumented, Promise<Handler>>();
const handlerOf = (fn: Instrumented): Promise<Handler> => {
  let handler = loaded.get(fn);
  if (!handler) {
    handler = modules[fn]().then((module) => module.handler as Handler);
    loaded.set(fn, handler);
  }
  return handler;
};

/** Stops the stream consumer at its next batch (the poller waits with it) until opened again. */
export class Gate {
  private opened: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  close(): void {
    if (this.release) return;
    this.opened = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    this.release?.();
    this.release = undefined;
  }

  wait(): Promise<void> {
    return this.opened;
  }
}

/** DynamoDB commands issued by each instrumented function, by command name. */
export class RequestCounter {
  private readonly counts = new Map<Instrumented, Map<string, number>>();

  add(fn: Instrumented, command: string): void {
    const byCommand = this.counts.get(fn) ?? new Map<string, number>();
    byCommand.set(command, (byCommand.get(command) ?? 0) + 1);
    this.counts.set(fn, byCommand);
  }

  total(fn: Instrumented): number {
    let n = 0;
    for (const count of this.counts.get(fn)?.values() ?? []) n += count;
    return n;
  }

  byCommand(fn: Instrumented): Record<string, number> {
    return Object.fromEntries(this.counts.get(fn) ?? []);
  }

  reset(): void {
    this.counts.clear();
  }
}

/**
 * Whether handlers run in their counting scope. On Node 20 an active AsyncLocalStorage installs
 * promise hooks that tax every promise in the process (a few percent of CPU, more for the handler
 * with more promises than the bare baseline), so a bench that times a path counts its requests in
 * a separate round of the same work and times the others with counting off.
 */
let counting = true;

export function countRequests(on: boolean): void {
  counting = on;
  // With no store left enabled, Node removes the hooks; `run` enables them again.
  if (!on) scope.disable();
}

const inScope = (fn: Instrumented, handler: Handler, event: unknown, context: Context): unknown =>
  counting ? scope.run(fn, () => handler(event as never, context)) : handler(event as never, context);

/** Calls a handler module directly (no gateway), in its counting scope. */
export async function invokeDirect(fn: Instrumented, event: unknown): Promise<unknown> {
  return inScope(fn, await handlerOf(fn), event, {} as Context);
}

/**
 * Stream records the score consumer is not handed: answers a bench wrote straight into the table
 * together with the aggregates that count them (as the consumer would have left them), so there is
 * nothing for it to do, as AWS's event filter would let through nothing new for it either.
 */
export class SeededTokens {
  private readonly prefixes = new Set<string>();
  add(surveyId: string): void {
    this.prefixes.add(`${surveyId}.`);
  }
  skips(token: string | undefined): boolean {
    if (!token) return false;
    for (const prefix of this.prefixes) if (token.startsWith(prefix)) return true;
    return false;
  }
}

type StreamEvent = { Records?: { dynamodb?: { Keys?: { token?: { S?: string } } } }[] };

export interface BenchStack {
  stack: LocalStack;
  counter: RequestCounter;
  consumer: Gate;
  seeded: SeededTokens;
  /** Calls the admin API with the stack's key; throws unless the answer is 2xx. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}

const logTail: string[] = [];
const log = (line: string): void => {
  logTail.push(line);
  if (logTail.length > 40) logTail.shift();
  if (process.env.NPSWAVE_BENCH_LOG === '1') progress(`stack: ${line}`);
};
/** The stack's last log lines, for the report of a crashed benchmark. */
export const recentStackLog = (): string[] => [...logTail];

let started: Promise<BenchStack> | undefined;
let dataDir: string | undefined;

export const benchStack = (): Promise<BenchStack> => {
  started ??= start();
  return started;
};

export async function stopBenchStack(): Promise<void> {
  if (!started) return;
  const bench = await started.catch(() => undefined);
  started = undefined;
  await bench?.stack.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

async function start(): Promise<BenchStack> {
  dataDir = await mkdtemp(join(tmpdir(), 'npswave-bench-'));
  const counter = new RequestCounter();
  const consumer = new Gate();
  const seeded = new SeededTokens();
  const wrap =
    (fn: Instrumented, before?: () => Promise<void>) =>
    async (event: unknown, context: Context): Promise<unknown> => {
      await before?.();
      return inScope(fn, await handlerOf(fn), event, context);
    };
  const t0 = performance.now();
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    sesPort: 0,
    dynamoPort: 0,
    inMemory: true,
    // High enough that seeding a wave is not paced like a real SES account.
    sesMaxSendRate: 500,
    log,
    handlers: {
      api: wrap('api'),
      respond: wrap('respond'),
      score: async (event: unknown, context: Context) => {
        const records = (event as StreamEvent).Records ?? [];
        const kept = records.filter((r) => !seeded.skips(r.dynamodb?.Keys?.token?.S));
        if (kept.length === 0) return { batchItemFailures: [] };
        return wrap('score', () => consumer.wait())({ ...(event as object), Records: kept }, context);
      },
    },
  });
  // The stack resets the shared clients when it starts: the middleware goes on the client it uses now.
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const fn = scope.getStore();
      if (fn) counter.add(fn, context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  progress(`local stack up in ${Math.round(performance.now() - t0)} ms (${stack.url})`);

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return { stack, counter, consumer, seeded, api };
}
