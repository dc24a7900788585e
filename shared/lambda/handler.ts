/**
 * Every function's handler is built here, on @middy/core: the time budget (a `deadline` on the
 * context, and middy's early stop before Lambda's timeout), then the event's schema or the HTTP
 * error mapper, then the use case. The exported function takes Lambda's context or none (tests,
 * the local stack's direct calls), as middy does.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as v from 'valibot';
import type { HttpEvent, HttpResult } from '../http.ts';
import {
  type Budgeted,
  deadlineOf,
  EarlyStopError,
  httpBudget,
  type InvocationContext,
  jobBudget,
  stopByOf,
  type TimeBudget,
} from './budget.ts';
import { type EventSchemaOptions, eventSchema } from './event-schema.ts';
import { type ErrorRenderer, httpErrors } from './http-errors.ts';

/** What a function exports: Lambda calls it with a context, a test may call it without one. */
export type LambdaEntry<E, R> = (event: E, context?: Partial<Context>) => Promise<R>;

function wrap<E, R, X extends InvocationContext>(
  run: (event: E, context: X) => Promise<R>,
  budget: TimeBudget,
): middy.MiddyfiedHandler<E, R> {
  return middy(run as unknown as (event: E, context: Context) => Promise<R>, {
    timeoutEarlyInMillis: budget.earlyStopMs,
    timeoutEarlyResponse: () => {
      throw new EarlyStopError(budget.earlyStopMs);
    },
  }).before((request) => {
    const context = request.context as Partial<Context> & Budgeted;
    context.deadline = deadlineOf(request.context, budget);
    context.stopBy = stopByOf(request.context, budget);
  });
}

export interface EventHandlerSpec<S extends v.GenericSchema, R> extends EventSchemaOptions<R> {
  /** The function's name, for errors and logs. */
  name: string;
  event: S;
  budget?: TimeBudget;
}

/** A function fired by a schedule, an asynchronous invoke, a stream or EventBridge. */
export function eventHandler<S extends v.GenericSchema, R, M = never>(
  spec: EventHandlerSpec<S, M>,
  run: (event: v.InferOutput<S>, context: InvocationContext) => Promise<R>,
): LambdaEntry<unknown, R | M> {
  const { name, event, budget = jobBudget, ...options } = spec;
  return wrap(run, budget).use(eventSchema(name, event, options)) as unknown as LambdaEntry<unknown, R | M>;
}

/**
 * A function behind the HTTP API. `C` is what the handler notes on the context for its error
 * renderer (e.g. the visitor's language once known).
 */
export function httpHandler<C = object>(
  run: (event: HttpEvent, context: InvocationContext & Partial<C>) => Promise<HttpResult>,
  render: ErrorRenderer<Partial<C>>,
  budget: TimeBudget = httpBudget,
): LambdaEntry<HttpEvent, HttpResult> {
  return wrap(run, budget).use(httpErrors(render)) as unknown as LambdaEntry<HttpEvent, HttpResult>;
}
