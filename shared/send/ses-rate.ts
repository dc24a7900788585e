/**
 * One SES sending rate for the whole account. SES's MaxSendRate is the account's, not a function's:
 * waves, reminders and triggered sends that each paced themselves at it would together exceed it.
 * So every sender takes its turn from one schedule kept in the system table: an item holding the
 * time of the next free slot. A sender reserves a few slots at once (one conditional write) and
 * calls SES at each slot's time; slots are `1000 / (rate − ½)` ms apart, and a slot the sender
 * reaches more than 0.4 of that late is given up rather than used late, so that in any
 * one-second window at most `rate` emails start, whichever senders they come from (see
 * `slotIntervalMs`). Slots reserved and not used (a run that stopped) are simply lost: the rate is
 * a ceiling, never a debt.
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
}

const key = { pk: 'SESRATE', sk: 'ACCOUNT' };

/**
 * Slots `I` apart, each used within `L` of its time: a window of 1 s holds at most
 * ⌊(1000 + L)/I⌋ + 1 starts. With `I = 1000 / (rate − ½)` that is ⌊rate − ½ + L/I⌋ + 1, at most
 * `rate` (for a whole rate of 1 or more) while `L < I/2`. `L = 0.4·I` leaves a tenth of a slot for
 * a call that reaches SES a little after it started.
 */
export const slotIntervalMs = (rate: number): number => 1000 / Math.max(0.5, rate - 0.5);
const latenessShare = 0.4;

export interface SharedSesRateOptions {
  /** Real time in epoch ms (SES counts real seconds; the local stack's movable clock is not it). */
  clock?: () => number;
  wait?: (ms: number) => Promise<void>;
}

export class SharedSesRate implements Pacer {
  private readonly interval: number;
  private readonly batch: number;
  private readonly clock: () => number;
  private readonly wait: (ms: number) => Promise<void>;
  private slots: number[] = [];
  /** The schedule's next free slot as this sender last saw it. */
  private seen = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(rate: number, options: SharedSesRateOptions = {}) {
    if (!(rate > 0)) throw new RangeError('rate must be positive');
    this.interval = slotIntervalMs(rate);
    // About a quarter of a second's slots per reservation: few writes to the shared item (at most
    // four a second per sender), little lost when a sender stops.
    this.batch = Math.max(1, Math.min(50, Math.ceil(rate / 4)));
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
      while (this.slots.length > 0 && (this.slots[0] as number) + this.interval * latenessShare < now)
        this.slots.shift();
      const slot = this.slots.shift();
      if (slot === undefined) {
        this.slots = await this.reserve(this.batch);
        continue;
      }
      if (slot > now) await this.wait(slot - now);
      // Late after the wait (a busy event loop)? Then this slot is given up and the next one taken.
      if (this.clock() <= slot + this.interval * latenessShare) return;
    }
  }

  /** Reserves `count` consecutive slots from the shared schedule, starting now or when it is free. */
  private async reserve(count: number): Promise<number[]> {
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
        return Array.from({ length: count }, (_, i) => start + i * this.interval);
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        this.seen = Number(itemOfConditionFailure<{ nextAt?: number }>(err)?.nextAt ?? this.clock());
      }
    }
    throw new Error('could not reserve SES send slots: the shared schedule kept moving');
  }
}
