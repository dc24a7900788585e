/**
 * `POST /_local/clock`: moves the local clock (shared/clock.ts) forward and lives through everything
 * that falls due on the way. Schedules fire in time order, each with the clock standing at its own
 * time (a reminder fired three days in sees "three days in", and the schedules it creates count from
 * there); after each, the Lambda invocations it started and the stream consumers finish. The offset
 * is kept in `<dataDir>/clock.json`, so a restart keeps the clock where it was.
 *
 * The offset may be negative: on a first start the demo sets the clock back about a year (`startAt`)
 * and makes its history by moving it forward again, until it is back at the real time.
 */
import { join } from 'node:path';
import { advanceClock, clockOffset, nowIso, nowMs, setClockOffset } from '../shared/clock.ts';
import { systemSchedules } from '../shared/schedule/system.ts';
import { scheduleGroup } from './env.ts';
import { jsonFileWriter, readJsonFile } from './json-file.ts';
import type { LambdaService } from './lambda.ts';
import type { Log } from './log.ts';
import type { DueOccurrence, Scheduler } from './scheduler.ts';
import type { StreamPoller } from './streams.ts';

/** A bound on firings per request, so a rate(1 minute) schedule and a jump of a year cannot hang it. */
const maxFiringsPerAdvance = 10_000;

/** System jobs that a jump of the clock runs once, at their last occurrence on the way. */
const catchUpJobs = new Set(
  systemSchedules.filter((s) => s.expression.startsWith('cron(')).map((s) => s.name),
);
const catchesUp = (due: DueOccurrence): boolean =>
  due.schedule.GroupName === scheduleGroup && catchUpJobs.has(due.schedule.Name);

export class TimeTravel {
  private readonly write: (value: unknown) => Promise<void>;
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly scheduler: Scheduler,
    private readonly lambda: LambdaService,
    private readonly streams: StreamPoller,
    private readonly log: Log,
  ) {
    this.file = join(dataDir, 'clock.json');
    this.write = jsonFileWriter(this.file);
  }

  /**
   * Restores the offset saved by an earlier run. A negative one means a history was still being made
   * when that run stopped: the clock stays where it was, consistent with the data made so far.
   */
  async load(): Promise<void> {
    const saved = (await readJsonFile(this.file)) as { offsetMs?: unknown } | undefined;
    if (typeof saved?.offsetMs !== 'number' || !Number.isFinite(saved.offsetMs)) return;
    setClockOffset(saved.offsetMs);
    if (saved.offsetMs < -60_000) {
      const days = (-saved.offsetMs / 86_400_000).toFixed(1);
      this.log(
        `clock: ${days} days behind the real time (the demo seeding was interrupted); npm start ` +
          'catches it up, POST /_local/clock {"advanceSeconds": N} moves it forward',
      );
    }
  }

  /**
   * Starts the clock at an earlier time, on a first start before anything is written (the data
   * folder is empty, so no item is dated later than this). Saved at once: a restart midway keeps it.
   */
  async startAt(ms: number): Promise<void> {
    if (!Number.isFinite(ms)) throw new RangeError('the clock needs a finite start time');
    setClockOffset(Math.min(0, ms - Date.now()));
    await this.write({ offsetMs: clockOffset() });
  }

  /** Waits until no Lambda invocation runs and every stream record is delivered. */
  async settle(): Promise<void> {
    do {
      await this.lambda.idle();
      await this.streams.drain();
    } while (this.lambda.pendingCount > 0);
  }

  async advance(seconds: number): Promise<string> {
    return this.scheduler.lock.run(async () => {
      const target = nowMs() + seconds * 1000;
      await this.settle();
      for (let firings = 0; ; firings++) {
        if (firings >= maxFiringsPerAdvance) {
          this.log(`clock: stopped after ${firings} schedule firings; the rest fire on the next request`);
          break;
        }
        const due = this.scheduler.nextDue(target);
        if (!due) break;
        if (
          catchesUp(due) &&
          (this.scheduler.occurrenceAfter(due.schedule, due.atMs) ?? Number.POSITIVE_INFINITY) <= target
        ) {
          // A jump of many days runs the daily digest once, at the last 07:00 it passes: a digest a
          // day for a simulated year is work nobody reads (on AWS each day has its own).
          await this.scheduler.skip(due);
          continue;
        }
        if (due.atMs > nowMs()) await this.moveTo(due.atMs);
        await this.scheduler.fire(due);
        await this.settle();
        // What the firing scheduled for "now" runs before the clock moves on.
      }
      if (target > nowMs()) await this.moveTo(target);
      // Anything that fell due exactly at the target, or was created for the past meanwhile.
      for (let firings = 0; firings < maxFiringsPerAdvance; firings++) {
        const due = this.scheduler.nextDue(nowMs());
        if (!due) break;
        await this.scheduler.fire(due);
        await this.settle();
      }
      return nowIso();
    });
  }

  private async moveTo(ms: number): Promise<void> {
    advanceClock(Math.max(0, ms - nowMs()));
    await this.write({ offsetMs: clockOffset() });
  }
}
