/**
 * A token bucket: at most `ratePerSecond` takes per second on average, bursts up to `burst`. It paces
 * by the real clock (SES measures real seconds), never by the local stack's movable clock.
 *
 * The burst is one token by default. With a burst of a whole second's worth (as before), every pause
 * of the sender (a page boundary, a slow database call) let the next second carry up to twice the
 * rate, while the promise is "never faster than the rate in any one-second window".
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst = 1,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('rate must be positive');
    this.tokens = Math.min(1, this.burst);
    this.last = this.clock();
  }

  /** Resolves when a token is available; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  /** After a throttling answer: empty the bucket so that the next sends wait a full interval. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0) - 1;
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = ((1 - this.tokens) / this.ratePerSecond) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(waitMs))));
    }
  }
}
