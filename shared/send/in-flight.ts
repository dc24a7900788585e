/**
 * How many emails one send run keeps in flight, following how fast DynamoDB answers. The SES pacer
 * (ses-rate.ts) says how many the account's rate could use (`inFlightFor`); this starts at the
 * ordinary 16 and climbs towards that ceiling while the claims' round trips stay near the fastest
 * the run has seen, and cuts back when they take more than twice as long: more in flight then buys
 * no speed, only a longer queue in front of everything else that writes the tables (the stream's
 * counting, the answers, other runs), and on AWS it is what a throttled table looks like (the SDK's
 * retries make the round trip long). The fastest is a window's median, not one lucky answer.
 */

/** Each step is judged on the median of this many round trips at the least (and of one per email in flight). */
const minWindow = 16;
/** A window's median more than twice the fastest, plus this much, means a queue: fewer in flight. */
const slackMs = 10;
const cutBy = 0.75;
const growBy = 0.1;

export class InFlightLimit {
  private limit: number;
  private window: number[] = [];
  /** The fastest window median seen by this run (ms). */
  private fastest = Number.POSITIVE_INFINITY;

  constructor(
    readonly floor: number,
    readonly ceiling: number,
  ) {
    if (!(floor >= 1) || !(ceiling >= 1)) throw new RangeError('in-flight limits must be at least 1');
    this.limit = Math.min(floor, ceiling);
  }

  /** Emails to keep in flight now. */
  get current(): number {
    return Math.floor(this.limit);
  }

  /** One claim's round trip, in ms. */
  observe(ms: number): void {
    if (this.ceiling <= this.floor || !Number.isFinite(ms)) return;
    this.window.push(ms);
    if (this.window.length < Math.max(minWindow, this.current)) return;
    const median = medianOf(this.window);
    this.window = [];
    this.fastest = Math.min(this.fastest, median);
    this.limit =
      median > 2 * this.fastest + slackMs
        ? Math.max(this.floor, this.limit * cutBy)
        : Math.min(this.ceiling, this.limit + Math.max(1, this.limit * growBy));
  }
}

const medianOf = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
