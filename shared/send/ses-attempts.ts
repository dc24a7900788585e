/**
 * Calling SES for one email until it answers for good: each attempt waits for the account's pacer;
 * throttles and server errors are tried again after a backoff (renewing the caller's claim first, so
 * that it never looks stale to another run meanwhile). An attempt that got no answer at all is
 * never simply repeated: the email may have gone, and only SES's Send event, or the caller's claim
 * going stale without one, can say.
 */
import { backoffMs, sleep } from '../retry.ts';
import { classifySendError, describeSesError, type OutgoingEmail, sendEmail } from './ses.ts';
import type { Pacer } from './ses-rate.ts';

export type SesAnswer =
  | { kind: 'sent'; messageId: string }
  /** No answer: maybe sent. The caller keeps its claim as it is. */
  | { kind: 'unknown'; reason: string }
  /** This email will never go. */
  | { kind: 'refused'; reason: string }
  /** The account cannot send: nothing was sent, nobody's fault. */
  | { kind: 'account'; reason: string }
  /** Throttles or server errors kept coming (or the deadline came): nothing was sent; try later. */
  | { kind: 'gave-up'; reason: string }
  /** The caller's claim was no longer its own when it came to try again. */
  | { kind: 'claim-lost' }
  /** The deadline passed while waiting for a turn: nothing was sent; hand over. */
  | { kind: 'not-started' };

export interface SesAttemptOptions {
  pacer: Pacer;
  /** Renews the caller's claim before another attempt; false when it is no longer the caller's. */
  renew?: () => Promise<boolean>;
  /** Whether the claim is old enough that it must be renewed before a call (a long wait for a turn). */
  claimIsOld?: () => boolean;
  /** Real-time epoch ms after which no backoff is started. */
  deadline?: number;
  /** Real-time epoch ms after which no call to SES starts (the invocation is about to be stopped). */
  stopBy?: number;
  wait?: (ms: number) => Promise<void>;
}

const maxThrottleRetries = 8;
const maxServerRetries = 3;

export async function sendThroughSes(email: OutgoingEmail, options: SesAttemptOptions): Promise<SesAnswer> {
  const wait = options.wait ?? sleep;
  let throttles = 0;
  let serverErrors = 0;
  for (;;) {
    await options.pacer.take();
    // A long wait for a turn (a slow account, many senders; a frozen container that wakes up later):
    // past `stopBy` nothing is started, and a claim that may have gone stale meanwhile is renewed
    // first, so that a run whose claim another run took over never sends a second email.
    if (Date.now() > (options.stopBy ?? Number.POSITIVE_INFINITY)) return { kind: 'not-started' };
    if (options.renew && options.claimIsOld?.() && !(await options.renew())) return { kind: 'claim-lost' };
    try {
      return { kind: 'sent', messageId: await sendEmail(email) };
    } catch (err) {
      const kind = classifySendError(err);
      const reason = describeSesError(err);
      if (kind === 'permanent') return { kind: 'refused', reason };
      if (kind === 'account') return { kind: 'account', reason };
      if (kind === 'unknown') return { kind: 'unknown', reason };
      const attempt = kind === 'throttled' ? throttles++ : serverErrors++;
      const limit = kind === 'throttled' ? maxThrottleRetries : maxServerRetries;
      const delay = kind === 'throttled' ? backoffMs(attempt, 250, 30_000) : backoffMs(attempt, 200, 10_000);
      if (attempt >= limit || Date.now() + delay > (options.deadline ?? Number.POSITIVE_INFINITY))
        return { kind: 'gave-up', reason };
      await wait(delay);
      if (options.renew && !(await options.renew())) return { kind: 'claim-lost' };
    }
  }
}
