/** Waiting before another attempt: the one backoff every retry loop of ours uses. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Exponential backoff with jitter: `baseMs · 2^attempt`, at most `maxMs`, then between half and all
 * of it, so that writers that failed together do not all come back together.
 */
export const backoffMs = (attempt: number, baseMs: number, maxMs: number): number =>
  Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);

/** Sleeps the backoff of `attempt` (0 for the first retry). */
export const backOff = (attempt: number, baseMs: number, maxMs: number): Promise<void> =>
  sleep(backoffMs(attempt, baseMs, maxMs));
