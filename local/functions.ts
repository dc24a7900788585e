/**
 * The Lambda functions of the local stack: the very handler modules deployed to AWS
 * (`functions/<dir>/handler.ts`), imported on first use (after the environment is set) and called
 * in this process with a Lambda-like context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionName } from '../shared/routes.ts';
import { localFunctionArn, localFunctionName } from './env.ts';

export type LambdaHandler = (event: never, context: Context) => unknown;

export const functionDirs: Record<FunctionName, string> = {
  api: 'api',
  respond: 'respond',
  send: 'send',
  remind: 'remind',
  expire: 'expire',
  score: 'score',
  sesEvents: 'ses-events',
  alerts: 'alerts',
  deliver: 'deliver',
  digest: 'digest',
};

const functionNames = Object.keys(functionDirs) as FunctionName[];

/** Seconds each function may run on AWS (infra/ sets the same); handlers that resume read the remaining time. */
export const timeoutSeconds: Record<FunctionName, number> = {
  api: 29,
  respond: 29,
  send: 300,
  remind: 300,
  expire: 300,
  score: 60,
  sesEvents: 60,
  alerts: 60,
  deliver: 120,
  digest: 300,
};

/**
 * Accepts what Lambda's Invoke accepts: `send`, `npswave-local-send`, or the function's ARN
 * (optionally with a `:$LATEST` qualifier).
 */
export function resolveFunctionName(nameOrArn: string): FunctionName | undefined {
  let name = nameOrArn;
  const arn = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(nameOrArn);
  if (arn?.[1]) name = arn[1];
  return functionNames.find((fn) => fn === name || localFunctionName(fn) === name);
}

/** What runs a function: the registry itself, or a stand-in that wraps it (local/lambda-faults.ts). */
export interface Invoker {
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
}

/** The invocation the current code runs in, and whether Lambda has stopped it. */
const currentInvocation = new AsyncLocalStorage<{ label: string; timedOut: boolean }>();

/** Lambda's own words for an invocation stopped at its timeout. */
export class LambdaTimeoutError extends Error {
  override name = 'Sandbox.Timedout';
}

/**
 * Lambda kills a function at its timeout wherever it is. In one process nothing can be killed, so
 * an invocation past its time is stopped at its next call to AWS (shared/aws/clients.ts calls this
 * before every request): what it did until then stands, nothing after it happens, as on AWS.
 */
export function assertInvocationAlive(): void {
  const invocation = currentInvocation.getStore();
  if (invocation?.timedOut) throw new LambdaTimeoutError(`${invocation.label}: stopped at its timeout`);
}

export type HandlerOverrides = Partial<Record<FunctionName, (event: unknown, context: Context) => unknown>>;

export class FunctionRegistry {
  private readonly loaded = new Map<FunctionName, Promise<LambdaHandler>>();

  /**
   * @param overrides handlers to use instead of the modules (tests of the stack itself).
   * @param timeouts seconds per function where they differ from the deployed ones (NPSWAVE_FAULTS).
   */
  constructor(
    private readonly overrides: HandlerOverrides = {},
    private readonly timeouts: Partial<Record<FunctionName, number>> = {},
  ) {}

  handler(name: FunctionName): Promise<LambdaHandler> {
    let handler = this.loaded.get(name);
    if (!handler) {
      handler = this.load(name);
      // A failed import is retried on the next call (e.g. a handler file still being written).
      handler.catch(() => this.loaded.delete(name));
      this.loaded.set(name, handler);
    }
    return handler;
  }

  /**
   * Runs a function once with a fresh context; rejects when the handler throws, or at the function's
   * timeout (then the handler is stopped at its next AWS call: assertInvocationAlive).
   */
  async invoke(name: FunctionName, event: unknown): Promise<unknown> {
    const handler = await this.handler(name);
    const seconds = this.timeouts[name] ?? timeoutSeconds[name];
    const invocation = { label: `lambda ${name}`, timedOut: false };
    const running = currentInvocation.run(invocation, async () =>
      handler(event as never, invocationContext(name, seconds)),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        invocation.timedOut = true;
        reject(new LambdaTimeoutError(`Task timed out after ${seconds.toFixed(2)} seconds`));
      }, seconds * 1000);
    });
    try {
      return await Promise.race([running, timeout]);
    } finally {
      clearTimeout(timer);
      // What the stopped handler still throws has nobody to hear it.
      running.catch(() => {});
    }
  }

  private async load(name: FunctionName): Promise<LambdaHandler> {
    const override = this.overrides[name];
    if (override) return override as LambdaHandler;
    const url = new URL(`../functions/${functionDirs[name]}/handler.ts`, import.meta.url);
    const module = (await import(url.href)) as { handler?: unknown };
    if (typeof module.handler !== 'function') {
      throw new Error(`functions/${functionDirs[name]}/handler.ts does not export a handler function`);
    }
    return module.handler as LambdaHandler;
  }
}

function invocationContext(name: FunctionName, seconds: number): Context {
  const deadline = Date.now() + seconds * 1000;
  const functionName = localFunctionName(name);
  const unsupported = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(name),
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
