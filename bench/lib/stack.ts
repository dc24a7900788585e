/**
 * One local stack per bench process, started in-process (in-memory DynamoDB Local, free ports) with
 * the real handler modules wrapped so that the benches can tell whose work is whose: each handler
 * runs inside an AsyncLocalStorage scope naming its function, a middleware on the shared DynamoDB
 * client counts the commands issued in each scope (and the capacity units DynamoDB Local says they
 * consumed, and the writes that touch a wave's own item), each invocation and its duration is
 * recorded per function, and the `score` stream consumer can be paused.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { functionDirs } from '../../local/functions.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { dynamo, sesClient } from '../../shared/aws/clients.ts';
import type { FunctionName } from '../../shared/routes.ts';
import { progress } from './figure.ts';

type Instrumented = FunctionName;
type Handler = (event: never, context: Context) => unknown;

const scope = new AsyncLocalStorage<Instrumented>();
const moduleOf = (fn: Instrumented): Promise<{ handler: unknown }> =>
  import(new URL(`../../functions/${functionDirs[fn]}/handler.ts`, import.meta.url).href);

/**
 * Each handler, imported once. A dynamic `import()` per call goes through tsx's loader hooks (a
 * message to its worker thread) every time: measured at about 0.7 ms of CPU per call, which is the
 * bench's cost, not the handler's (the local stack's own registry imports each handler once too).
 */
const loaded = new Map<Instrumented, Promise<Handler>>();
const handlerOf = (fn: Instrumented): Promise<Handler> => {
  let handler = loaded.get(fn);
  if (!handler) {
    handler = moduleOf(fn).then((module) => module.handler as Handler);
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

/** Capacity units DynamoDB Local reported for one command (`ReturnConsumedCapacity: TOTAL`). */
interface Units {
  read: number;
  write: number;
}

/** DynamoDB commands issued by each instrumented function, by command name; and what they cost. */
export class RequestCounter {
  private readonly counts = new Map<Instrumented, Map<string, number>>();
  private readonly units = new Map<Instrumented, Units>();
  private readonly invocations = new Map<Instrumented, number[]>();
  /** Writes (plain or in a transaction) that touched a wave's own item (`WAVE#id`/`WAVE`), by function. */
  private readonly waveItemWrites = new Map<Instrumented, number>();

  add(fn: Instrumented, command: string): void {
    const byCommand = this.counts.get(fn) ?? new Map<string, number>();
    byCommand.set(command, (byCommand.get(command) ?? 0) + 1);
    this.counts.set(fn, byCommand);
  }

  addUnits(fn: Instrumented, read: number, write: number): void {
    const units = this.units.get(fn) ?? { read: 0, write: 0 };
    units.read += read;
    units.write += write;
    this.units.set(fn, units);
  }

  addWaveItemWrite(fn: Instrumented): void {
    this.waveItemWrites.set(fn, (this.waveItemWrites.get(fn) ?? 0) + 1);
  }

  private readonly latency = new Map<string, number[]>();

  addLatency(command: string, ms: number): void {
    const list = this.latency.get(command) ?? [];
    list.push(ms);
    this.latency.set(command, list);
  }

  /** The median time of each command, in ms, with how many there were. */
  latencyByCommand(): Record<string, { n: number; medianMs: number }> {
    return Object.fromEntries(
      [...this.latency].map(([command, list]) => {
        const sorted = [...list].sort((a, b) => a - b);
        return [
          command,
          { n: list.length, medianMs: Number((sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(1)) },
        ];
      }),
    );
  }

  addInvocation(fn: Instrumented, ms: number): void {
    const list = this.invocations.get(fn) ?? [];
    list.push(ms);
    this.invocations.set(fn, list);
  }

  total(fn: Instrumented): number {
    let n = 0;
    // `Command!Error` entries name how requests already counted failed.
    for (const [command, count] of this.counts.get(fn) ?? []) if (!command.includes('!')) n += count;
    return n;
  }

  /** Every function's requests together. */
  grandTotal(): number {
    let n = 0;
    for (const fn of this.counts.keys()) n += this.total(fn);
    return n;
  }

  byCommand(fn: Instrumented): Record<string, number> {
    return Object.fromEntries(this.counts.get(fn) ?? []);
  }

  /** Requests by function and command, for the functions that made any. */
  byFunction(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.counts.keys()].map((fn) => [fn, this.byCommand(fn)]));
  }

  unitsOf(fn: Instrumented): Units {
    return { ...(this.units.get(fn) ?? { read: 0, write: 0 }) };
  }

  totalUnits(): Units {
    const sum = { read: 0, write: 0 };
    for (const units of this.units.values()) {
      sum.read += units.read;
      sum.write += units.write;
    }
    return sum;
  }

  waveItemWriteCount(): number {
    let n = 0;
    for (const count of this.waveItemWrites.values()) n += count;
    return n;
  }

  /** Each function's invocations: how many, and their durations in ms. */
  invocationsOf(): Record<string, number[]> {
    return Object.fromEntries([...this.invocations].map(([fn, list]) => [fn, [...list]]));
  }

  reset(): void {
    this.counts.clear();
    this.units.clear();
    this.invocations.clear();
    this.waveItemWrites.clear();
    this.latency.clear();
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
  // NPSWAVE_BENCH_LOG=1: the stack's log as it comes, on stderr.
  if (process.env.NPSWAVE_BENCH_LOG === '1') process.stderr.write(`[stack] ${line}\n`);
  logTail.push(line);
  if (logTail.length > 40) logTail.shift();
  if (process.env.NPSWAVE_BENCH_LOG === '1') progress(`stack: ${line}`);
};
/** The stack's last log lines, for the report of a crashed benchmark. */
export const recentStackLog = (): string[] => [...logTail];

let started: Promise<BenchStack> | undefined;
let startedWith = '';
let dataDir: string | undefined;

export interface BenchStackOptions {
  /** The MaxSendRate the SES stand-in reports (default 500: seeding is not paced like a real account). */
  sesMaxSendRate?: number;
}

/** The bench process's stack; one started with other options is stopped and a new one started. */
export const benchStack = async (options: BenchStackOptions = {}): Promise<BenchStack> => {
  const key = JSON.stringify(options);
  if (started && startedWith !== key) await stopBenchStack();
  startedWith = key;
  started ??= start(options);
  return started;
};

export async function stopBenchStack(): Promise<void> {
  if (!started) return;
  const bench = await started.catch(() => undefined);
  started = undefined;
  await bench?.stack.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

/** Whether a DynamoDB command writes a wave's own item (the counts every email of a wave used to share). */
function touchesWaveItem(command: string, input: Record<string, unknown>): boolean {
  // The document client's input, or the low-level client's marshalled one ({S: "…"}).
  const text = (value: unknown): unknown =>
    typeof value === 'object' && value !== null && 'S' in value ? (value as { S: unknown }).S : value;
  const isWaveKey = (key: unknown): boolean => {
    const k = key as { pk?: unknown; sk?: unknown } | undefined;
    const pk = text(k?.pk);
    return typeof pk === 'string' && pk.startsWith('WAVE#') && text(k?.sk) === 'WAVE';
  };
  if (/^(Update|Put|Delete)(Item)?Command$/.test(command))
    return isWaveKey(input.Key ?? (input.Item as Record<string, unknown> | undefined));
  if (/^TransactWrite(Items)?Command$/.test(command)) {
    const items = (input.TransactItems ?? []) as Record<string, { Key?: unknown; Item?: unknown }>[];
    return items.some((item) => Object.values(item).some((action) => isWaveKey(action?.Key ?? action?.Item)));
  }
  return false;
}

type Consumed = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

/** Read and write units of a command's ConsumedCapacity (one entry, or one per table). */
function unitsOf(command: string, consumed: Consumed | Consumed[] | undefined): [number, number] {
  let read = 0;
  let write = 0;
  for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    const units = entry.CapacityUnits ?? 0;
    if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
      read += entry.ReadCapacityUnits ?? 0;
      write += entry.WriteCapacityUnits ?? 0;
    } else if (/^(Get|BatchGet|Query|Scan|TransactGet)/.test(command)) {
      read += units;
    } else {
      write += units;
    }
  }
  return [read, write];
}

async function start(options: BenchStackOptions): Promise<BenchStack> {
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
    sesMaxSendRate: options.sesMaxSendRate ?? 500,
    log,
    handlers: Object.fromEntries(
      (Object.keys(functionDirs) as Instrumented[]).map((fn) => {
        const wrapped =
          fn === 'score'
            ? async (event: unknown, context: Context) => {
                const records = (event as StreamEvent).Records ?? [];
                const kept = records.filter((r) => !seeded.skips(r.dynamodb?.Keys?.token?.S));
                if (kept.length === 0) return { batchItemFailures: [] };
                return wrap('score', () => consumer.wait())({ ...(event as object), Records: kept }, context);
              }
            : wrap(fn);
        return [
          fn,
          async (event: unknown, context: Context) => {
            const t = performance.now();
            try {
              return await wrapped(event, context);
            } finally {
              counter.addInvocation(fn, performance.now() - t);
            }
          },
        ];
      }),
    ),
  });
  // The stack resets the shared clients when it starts: the middleware goes on the client it uses now.
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const fn = scope.getStore();
      if (!fn) return next(args);
      const command = context.commandName ?? 'unknown';
      counter.add(fn, command);
      const input = args.input as Record<string, unknown>;
      if (touchesWaveItem(command, input)) counter.addWaveItemWrite(fn);
      if (!/^(Describe|List|Create|Update(Table|TimeToLive))/.test(command) || command === 'UpdateCommand')
        input.ReturnConsumedCapacity ??= 'TOTAL';
      let result: Awaited<ReturnType<typeof next>>;
      const t = performance.now();
      try {
        result = await next(args);
        counter.addLatency(command, performance.now() - t);
      } catch (err) {
        // A refused conditional write still costs a write unit on AWS; DynamoDB Local says nothing.
        counter.add(fn, `${command}!${(err as Error).name}`);
        if (!/^(Get|BatchGet|Query|Scan|TransactGet)/.test(command)) counter.addUnits(fn, 0, 1);
        throw err;
      }
      const output = result.output as { ConsumedCapacity?: Consumed | Consumed[] };
      const [read, write] = unitsOf(command, output?.ConsumedCapacity);
      counter.addUnits(fn, read, write);
      return result;
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

/**
 * The times (performance.now()) at which SES took an email sent from this process from here on, in
 * order (a call that failed is not an email: sendEmailFailures() counts those): the array fills as
 * the stack's functions send (they share this process's SES client). Empty it to start over.
 */
export function recordSendTimes(): number[] {
  const sends: number[] = [];
  sesClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendEmailCommand') return next(args);
      try {
        const answer = await next(args);
        sends.push(performance.now());
        return answer;
      } catch (err) {
        // A call that failed: the figure of its own, and by name, so a wave's retries are explained.
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        const kind = `${e.name ?? 'Error'} ${e.$metadata?.httpStatusCode ?? 'no status'}`;
        sendFailures.set(kind, (sendFailures.get(kind) ?? 0) + 1);
        throw err;
      }
    },
    { step: 'initialize', name: `benchSendTimer${++sendTimers}` },
  );
  return sends;
}
let sendTimers = 0;
const sendFailures = new Map<string, number>();
/** SendEmail calls that failed since the last call of this (`reset`), by error name and HTTP status. */
export function sendEmailFailures(reset = false): Record<string, number> {
  const failures = Object.fromEntries(sendFailures);
  if (reset) sendFailures.clear();
  return failures;
}
