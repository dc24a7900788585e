/**
 * Fires the Scheduler stand-in's schedules: finds the earliest occurrence due by a given time
 * (shared/clock.ts is the clock), invokes the target function with the schedule's Input, retries per
 * its RetryPolicy, and records the occurrence (deleting completed schedules that ask for it).
 * A background tick does this in real time; the clock route does it while moving the clock.
 */
import { randomUUID } from 'node:crypto';
import { nowMs } from '../shared/clock.ts';
import {
  nextOccurrence,
  parseScheduleExpression,
  type ScheduleExpression,
} from '../shared/schedule/expression.ts';
import { type Invoker, resolveFunctionName } from './functions.ts';
import { describeError, type Log, logFailure } from './log.ts';
import { Mutex } from './mutex.ts';
import type { ScheduleStore, StoredSchedule } from './schedule-store.ts';

export interface DueOccurrence {
  schedule: StoredSchedule;
  atMs: number;
}

/** Retries locally are capped (AWS allows 185) so a broken handler cannot stall the clock route. */
const maxLocalRetries = 3;
const retryBaseDelayMs = 250;

export class Scheduler {
  /** Held while schedules fire: the tick and the clock route never overlap. */
  readonly lock = new Mutex();
  private readonly parsed = new WeakMap<StoredSchedule, ScheduleExpression>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly store: ScheduleStore,
    private readonly functions: Invoker,
    private readonly log: Log,
  ) {}

  private expression(schedule: StoredSchedule): ScheduleExpression {
    let expression = this.parsed.get(schedule);
    if (!expression) {
      expression = parseScheduleExpression(
        schedule.ScheduleExpression,
        schedule.ScheduleExpressionTimezone ?? 'UTC',
      );
      this.parsed.set(schedule, expression);
    }
    return expression;
  }

  /** The next occurrence of a schedule strictly after `afterMs`, or its first one. */
  occurrenceAfter(schedule: StoredSchedule, afterMs?: number): number | undefined {
    if (schedule.State !== 'ENABLED') return undefined;
    const expression = this.expression(schedule);
    // A one-time schedule whose time has passed still fires once (on AWS: right away).
    const firstAfter = expression.kind === 'at' ? Number.NEGATIVE_INFINITY : schedule.local.anchorMs - 1;
    const window: Parameters<typeof nextOccurrence>[1] = {
      afterMs: afterMs ?? schedule.local.lastFiredMs ?? firstAfter,
      anchorMs: schedule.local.anchorMs,
    };
    if (schedule.StartDate !== undefined) window.startMs = schedule.StartDate * 1000;
    if (schedule.EndDate !== undefined) window.endMs = schedule.EndDate * 1000;
    return nextOccurrence(expression, window);
  }

  /** The earliest occurrence of any schedule at or before `untilMs`. */
  nextDue(untilMs: number): DueOccurrence | undefined {
    let due: DueOccurrence | undefined;
    for (const schedule of this.store.all()) {
      const atMs = this.occurrenceAfter(schedule);
      if (atMs !== undefined && atMs <= untilMs && (!due || atMs < due.atMs)) due = { schedule, atMs };
    }
    return due;
  }

  /**
   * Fires one occurrence to completion. With `skipBacklogUntil`, occurrences of a recurring schedule
   * missed while the stack was stopped are not fired one by one: the latest one stands for them all.
   */
  async fire(occurrence: DueOccurrence, options: { skipBacklogUntil?: number } = {}): Promise<void> {
    const { schedule } = occurrence;
    await this.invokeTarget(schedule, occurrence.atMs);
    let last = occurrence.atMs;
    if (options.skipBacklogUntil !== undefined) {
      for (let i = 0; i < 100_000; i++) {
        const next = this.occurrenceAfter(schedule, last);
        if (next === undefined || next > options.skipBacklogUntil) break;
        last = next;
      }
    }
    const complete = this.occurrenceAfter(schedule, last) === undefined;
    await this.store.markFired(schedule, last, complete);
  }

  /** Passes an occurrence by without firing it (the clock route's catch-up of a daily job). */
  async skip(occurrence: DueOccurrence): Promise<void> {
    const complete = this.occurrenceAfter(occurrence.schedule, occurrence.atMs) === undefined;
    await this.store.markFired(occurrence.schedule, occurrence.atMs, complete);
  }

  private async invokeTarget(schedule: StoredSchedule, scheduledMs: number): Promise<void> {
    const label = `schedule ${schedule.GroupName}/${schedule.Name}`;
    const fn = resolveFunctionName(schedule.Target.Arn);
    if (!fn) {
      this.log(`${label}: target ${schedule.Target.Arn} is not a local function; nothing invoked`);
      return;
    }
    const executionId = randomUUID();
    const retries = Math.min(schedule.Target.RetryPolicy?.MaximumRetryAttempts ?? 185, maxLocalRetries);
    for (let attempt = 0; ; attempt++) {
      const event = parseInput(
        withContextAttributes(schedule.Target.Input, {
          scheduleArn: schedule.Arn,
          scheduledMs,
          executionId,
          attempt: attempt + 1,
        }),
      );
      try {
        await this.functions.invoke(fn, event);
        return;
      } catch (err) {
        if (attempt >= retries) {
          logFailure(this.log, `${label}: ${fn} failed after ${attempt + 1} attempts`, err);
          return;
        }
        this.log(`${label}: ${fn} failed (${describeError(err)}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, retryBaseDelayMs * 2 ** attempt));
      }
    }
  }

  /** Fires, in time order, everything due by the clock now (the real-time path). */
  async fireDueNow(): Promise<void> {
    await this.lock.run(async () => {
      for (let i = 0; i < 10_000; i++) {
        const now = nowMs();
        const due = this.nextDue(now);
        if (!due) return;
        await this.fire(due, { skipBacklogUntil: now });
      }
    });
  }

  start(intervalMs = 1_000): void {
    const tick = async () => {
      if (!this.lock.locked) {
        try {
          await this.fireDueNow();
        } catch (err) {
          this.log(`scheduler tick failed: ${describeError(err)}`);
        }
      }
      if (this.timer) this.timer = setTimeout(tick, intervalMs);
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  /** Stops the tick and waits for a firing in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.lock.run(async () => {});
  }
}

/**
 * Scheduler's context attributes, filled into the target's Input as AWS does before each attempt:
 * the schedule's ARN, the occurrence's scheduled time (ISO 8601 in UTC, whole seconds, e.g.
 * `2026-12-02T09:00:00Z`), an id of the execution (the same for its retries) and the attempt number.
 */
export function withContextAttributes(
  input: string | undefined,
  context: { scheduleArn: string; scheduledMs: number; executionId: string; attempt: number },
): string | undefined {
  const values: Record<string, string> = {
    'schedule-arn': context.scheduleArn,
    'scheduled-time': new Date(Math.floor(context.scheduledMs / 1000) * 1000)
      .toISOString()
      .replace('.000Z', 'Z'),
    'execution-id': context.executionId,
    'attempt-number': String(context.attempt),
  };
  return input?.replace(
    /<aws\.scheduler\.(schedule-arn|scheduled-time|execution-id|attempt-number)>/g,
    (_, name: string) => values[name] ?? '',
  );
}

function parseInput(input: string | undefined): unknown {
  if (input === undefined || input === '') return {};
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
