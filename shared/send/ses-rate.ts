/**
 * One SES sending rate for the whole account. SES's MaxSendRate is the account's, not a function's:
 * waves, reminders and triggered sends that each paced themselves at it would together exceed it.
 * So every sender takes its turn from one schedule kept in the system table: an item holding the
 * time of the next free slot. A sender reserves a quarter of a second's slots at once (one
 * conditional write) and calls SES at each slot's time, never before it and at most `lateness(rate)`
 * after it; a slot reached later is given up, so that in any one-second window at most `rate`
 * emails start, whichever senders they come from (see `slotIntervalMs`). Slots reserved and not used
 * (a run that stopped, a sender slower than the rate) are simply lost: the rate is a ceiling, never
 * a debt.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure, itemOfConditionFailure } from '../aws/dynamo-errors.ts';
import { tableName } from '../config.ts';
import { sleep } from '../retry.ts';

/** What an SES sender waits on before each call. */
export interface Pacer {
  /** Resolves when this caller may call SES. */
  take(): Promise<void>;
  /** How many emails one run keeps in flight to use this rate (`inFlightFor`); 16 when not said. */
  readonly inFlight?: number;
}

/**
 * Emails one run keeps in flight at a rate: enough that the rate, not the round trips, sets the
 * pace. Each email waits on about 150 ms of calls (two DynamoDB writes, SES, a settle), so at 1,000/s
 * one run needs about 150 in flight; never fewer than 16, never more than 128 (a page is 100).
 */
export const inFlightFor = (rate: number): number => Math.max(16, Math.min(128, Math.ceil(rate * 0.15)));

const key = { pk: 'SESRATE', sk: 'ACCOUNT' };

/** The rate the slots are spaced at: 4 % under the account's (at least ½ an email a second under). */
const slotRate = (rate: number): number => rate - Math.max(0.5, 0.04 * rate);

/**
 * Slots `I = 1000 / r'` ms apart (r' a little under the rate), each used no earlier than its time and
 * at most `L` after it: the starts in a window of 1 s used slots timed within 1000 + L ms, so there
 * are at most ⌊r'·(1000 + L)/1000⌋ + 1 of them, which is at most `rate` while r'·(1 + L/1000) < rate.
 * `L` is four fifths of what that allows: about 33 ms at 20/s or at 1,000/s. Sized by the second and not
 * by the slot, it lets a busy event loop be late by milliseconds at any rate (at 100,000/s a slot
 * lasts 10 µs, and one given up whenever it is 4 µs late would leave the rate unused).
 */
export const slotIntervalMs = (rate: number): number => 1000 / slotRate(rate);
export const latenessMs = (rate: number): number => 0.8 * 1000 * (rate / slotRate(rate) - 1);

export interface SharedSesRateOptions {
  /** Real time in epoch ms (SES counts real seconds; the local stack's movable clock is not it). */
  clock?: () => number;
  wait?: (ms: number) => Promise<void>;
}

export class SharedSesRate implements Pacer {
  readonly inFlight: number;
  private readonly interval: number;
  private readonly lateness: number;
  private readonly batch: number;
  private readonly clock: () => number;
  private readonly wait: (ms: number) => Promise<void>;
  /**
   * The slots reserved and not yet used or given up: `count` of them from `next`, `interval` apart.
   * Kept as arithmetic, not a list: at a lifted rate a reservation holds tens of thousands of slots,
   * and giving up the late ones one by one from an array cost more CPU than the sending.
   */
  private slots = { next: 0, count: 0 };
  /** The schedule's next free slot as this sender last saw it. */
  private seen = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(rate: number, options: SharedSesRateOptions = {}) {
    if (!(rate > 0)) throw new RangeError('rate must be positive');
    this.inFlight = inFlightFor(rate);
    this.interval = slotIntervalMs(rate);
    this.lateness = latenessMs(rate);
    // A quarter of a second's slots per reservation, at any rate: at most four writes a second per
    // sender to the shared item, little lost when a sender stops.
    this.batch = Math.max(1, Math.ceil(slotRate(rate) / 4));
    this.clock = options.clock ?? Date.now;
    this.wait = options.wait ?? sleep;
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.nextSlot());
    // A failed reservation fails this caller only; the next one tries afresh.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async nextSlot(): Promise<void> {
    for (;;) {
      const now = this.clock();
      // Slots already too late to use are given up, all at once.
      const late = Math.min(
        this.slots.count,
        Math.max(0, Math.ceil((now - this.lateness - this.slots.next) / this.interval)),
      );
      this.skip(late);
      if (this.slots.count === 0) {
        this.slots = await this.reserve(this.batch);
        continue;
      }
      const slot = this.slots.next;
      this.skip(1);
      if (slot > now) await this.wait(slot - now);
      // Late after the wait (a busy event loop)? Then this slot is given up and the next one taken.
      if (this.clock() <= slot + this.lateness) return;
    }
  }

  private skip(n: number): void {
    this.slots = { next: this.slots.next + n * this.interval, count: this.slots.count - n };
  }

  /** Reserves `count` consecutive slots from the shared schedule, starting now or when it is free. */
  private async reserve(count: number): Promise<{ next: number; count: number }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const start = Math.max(this.seen, this.clock());
      const next = start + count * this.interval;
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName('system'),
            Key: key,
            UpdateExpression: 'SET nextAt = :next',
            // Safe whenever the stored next slot is not after our start: every slot reserved before
            // lies before it, so ours overlap none.
            ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :start',
            ExpressionAttributeValues: { ':next': next, ':start': start },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        this.seen = next;
        return { next: start, count };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        this.seen = Number(itemOfConditionFailure<{ nextAt?: number }>(err)?.nextAt ?? this.clock());
      }
    }
    throw new Error('could not reserve SES send slots: the shared schedule kept moving');
  }
}
