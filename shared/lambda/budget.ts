/**
 * One time budget per invocation. Lambda kills a function at its timeout wherever it is, so a
 * handler that works in passes (send, remind, expire) stops at a deadline kept `marginMs` before the
 * timeout, checkpoints and hands the rest on; and middy stops any handler `earlyStopMs` before the
 * timeout, so an overrun fails with a named error (and an HTTP answer) instead of a kill.
 */
import type { Context } from 'aws-lambda';

export interface TimeBudget {
  /** Kept in hand after the deadline for the checkpoint and the hand-over. */
  marginMs: number;
  /** Before the timeout, middy gives up on the handler (`timeoutEarlyInMillis`). */
  earlyStopMs: number;
  /** The handler's time when no Lambda context says (a test calling the handler directly). */
  withoutContextMs: number;
}

/** Functions that work in passes and continue themselves (timeouts of 60–300 s). */
export const jobBudget: TimeBudget = { marginMs: 20_000, earlyStopMs: 1_000, withoutContextMs: 5 * 60_000 };

/** Functions behind the HTTP API (29 s, inside API Gateway's 30 s): an answer, never a gateway 503. */
export const httpBudget: TimeBudget = { marginMs: 2_000, earlyStopMs: 1_000, withoutContextMs: 27_000 };

/** What the budget middleware adds to the Lambda context: the one deadline a handler reads. */
export interface Budgeted {
  /** Epoch ms (real time, not shared/clock's) by which the handler should have handed over. */
  deadline: number;
  /**
   * Epoch ms after which nothing new may start at all (a call to SES): a few seconds before middy's
   * early stop, so that a run never has work in flight when it is stopped.
   */
  stopBy: number;
}

/** The context a wrapped handler gets; Lambda's own fields are absent when a test passes none. */
export type InvocationContext = Partial<Context> & Budgeted;

/**
 * The deadline: the remaining time less the margin. With a timeout shorter than the margin it is
 * already past when the handler starts; the handlers that work in passes still do one step each
 * invocation (a page of a wave, of reminders, of expiries), so they always get on.
 */
export function deadlineOf(
  context: Partial<Pick<Context, 'getRemainingTimeInMillis'>> | undefined,
  budget: TimeBudget,
): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  return Date.now() + (remaining === undefined ? budget.withoutContextMs : remaining - budget.marginMs);
}

/** Names the early stop, so that logs and the error mapper tell it from a crash. */
export class EarlyStopError extends Error {
  override name = 'EarlyStopError';
  constructor(earlyStopMs: number) {
    super(`stopped ${earlyStopMs} ms before the Lambda timeout`);
  }
}

/** When nothing new may start: the remaining time less the early stop and a second or two in hand. */
export function stopByOf(
  context: Partial<Pick<Context, 'getRemainingTimeInMillis'>> | undefined,
  budget: TimeBudget,
): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined) return Date.now() + budget.withoutContextMs;
  return Date.now() + remaining - budget.earlyStopMs - Math.min(2_000, remaining / 10);
}
