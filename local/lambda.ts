/**
 * Lambda's Invoke, locally: synchronous invocations run the handler and answer its result; `Event`
 * invocations answer 202 at once and run in the background, retried twice on failure as Lambda does.
 * Background work is tracked so that the clock route and stop() can wait for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionName } from '../shared/routes.ts';
import type { Faults } from './faults.ts';
import type { FunctionRegistry, Invoker } from './functions.ts';
import { resolveFunctionName } from './functions.ts';
import { readBody, sendJson } from './http-util.ts';
import { describeError, type Log, logFailure } from './log.ts';

/** Lambda's own limit for a synchronous payload is 6 MB; asynchronous ones are smaller still. */
const maxPayloadBytes = 6 * 1024 * 1024;

export interface LambdaServiceOptions {
  /** Waits before the two retries of a failed asynchronous invocation (Lambda: about 1 and 2 minutes). */
  asyncRetryDelaysMs?: number[];
  /** NPSWAVE_FAULTS: async invokes delivered twice, attempts that fail. */
  faults?: Faults;
}

/** An error Lambda reports for an attempt that NPSWAVE_FAULTS made fail. */
class InjectedInvokeError extends Error {
  override name = 'InjectedFault';
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Scheduler's way to a function under NPSWAVE_FAULTS: at its share, one firing is delivered twice
 * at nearly the same time (EventBridge Scheduler is at-least-once).
 */
export function duplicatingInvoker(inner: Invoker, faults: Faults, log: Log): Invoker {
  return {
    async invoke(name, event) {
      if (!faults.roll('schedulerDuplicates')) return inner.invoke(name, event);
      const twin = pause(Math.floor(faults.draw('schedulerDuplicates') * 200)).then(() =>
        inner.invoke(name, event),
      );
      const [first, second] = await Promise.allSettled([inner.invoke(name, event), twin]);
      if (second.status === 'rejected')
        log(`fault: the duplicate firing of ${name} failed: ${describeError(second.reason)}`);
      if (first.status === 'rejected') throw first.reason;
      return first.value;
    },
  };
}
export class LambdaService {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryDelays: number[];
  private readonly faults: Faults | undefined;

  constructor(
    private readonly registry: FunctionRegistry,
    private readonly log: Log,
    options: LambdaServiceOptions = {},
  ) {
    this.retryDelays = options.asyncRetryDelaysMs ?? [1_000, 2_000];
    this.faults = options.faults;
  }

  /** A synchronous invocation: the handler's result, or its error. */
  invoke(name: FunctionName, event: unknown): Promise<unknown> {
    return this.registry.invoke(name, event);
  }

  /** An asynchronous invocation: queued, retried twice on error, logged when it finally fails. */
  invokeAsync(name: FunctionName, event: unknown): void {
    const run = this.runWithRetries(name, event).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    if (this.faults?.roll('invokeDuplicates')) {
      // Lambda may deliver one event twice, even when nothing failed.
      const delay = Math.floor(this.faults.draw('invokeDuplicates') * 500);
      const twin = pause(delay)
        .then(() => this.runWithRetries(name, event))
        .finally(() => this.inFlight.delete(twin));
      this.inFlight.add(twin);
    }
  }

  /** Resolves once no asynchronous invocation is running, including ones started meanwhile. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pendingCount(): number {
    return this.inFlight.size;
  }

  private async runWithRetries(name: FunctionName, event: unknown): Promise<void> {
    // Never in the caller's tick: Lambda answers 202 before the function starts.
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 0; ; attempt++) {
      try {
        // An injected failure comes before the handler or after it has done its work (a crash at the
        // end, a lost answer): either way Lambda tries the whole event again.
        const failing = this.faults?.roll('invokeErrors') ?? false;
        const before = failing && (this.faults?.draw('invokeErrors') ?? 0) < 0.5;
        if (before) throw new InjectedInvokeError('injected: the invocation failed before it ran');
        await this.registry.invoke(name, event);
        if (failing) throw new InjectedInvokeError('injected: the invocation failed after it ran');
        return;
      } catch (err) {
        const delay = this.retryDelays[attempt];
        if (delay === undefined) {
          logFailure(
            this.log,
            `lambda ${name}: asynchronous invocation failed after ${attempt + 1} attempts`,
            err,
          );
          return;
        }
        this.log(
          `lambda ${name}: asynchronous invocation failed (${describeError(err)}); retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** `POST /2015-03-31/functions/{FunctionName}/invocations`, as @aws-sdk/client-lambda sends it. */
  async handleInvokeRequest(req: IncomingMessage, res: ServerResponse, functionName: string): Promise<void> {
    const name = resolveFunctionName(functionName);
    if (!name) {
      sendJson(
        res,
        404,
        { Type: 'User', Message: `Function not found: ${functionName}` },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
      return;
    }
    const raw = (await readBody(req, maxPayloadBytes)).toString('utf8');
    let event: unknown = {};
    if (raw.trim() !== '') {
      try {
        event = JSON.parse(raw);
      } catch {
        sendJson(
          res,
          400,
          { Type: 'User', message: 'Could not parse request body into json' },
          { 'x-amzn-errortype': 'InvalidRequestContentException' },
        );
        return;
      }
    }
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType === 'DryRun') {
      res.writeHead(204).end();
      return;
    }
    if (invocationType === 'Event') {
      this.invokeAsync(name, event);
      res.writeHead(202, { 'content-length': '0' }).end();
      return;
    }
    const headers = { 'x-amz-executed-version': '$LATEST' };
    try {
      const result = await this.invoke(name, event);
      sendJson(res, 200, result === undefined ? null : result, headers);
    } catch (err) {
      logFailure(this.log, `lambda ${name}: invocation failed`, err);
      const error = err instanceof Error ? err : new Error(String(err));
      sendJson(
        res,
        200,
        { errorType: error.name, errorMessage: error.message, trace: [] },
        { ...headers, 'x-amz-function-error': 'Unhandled' },
      );
    }
  }
}
