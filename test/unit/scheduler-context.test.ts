/**
 * The local Scheduler stand-in fills in Scheduler's context attributes in a target's Input as AWS
 * does (`<aws.scheduler.scheduled-time>` and the rest), so a target can derive an idempotent key from
 * the firing: the scheduled time as ISO 8601 in UTC with whole seconds, e.g. `2026-12-02T09:00:00Z`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Invoker } from '../../local/functions.ts';
import { silentLog } from '../../local/log.ts';
import { ScheduleStore } from '../../local/schedule-store.ts';
import { Scheduler, withContextAttributes } from '../../local/scheduler.ts';

const sendArn = 'arn:aws:lambda:us-east-1:000000000000:function:npswave-local-send';
const input = JSON.stringify({
  type: 'wave.start',
  surveyId: 's_aaaaaaaaaaaaaaaa',
  scheduledAt: '<aws.scheduler.scheduled-time>',
  execution: '<aws.scheduler.execution-id>',
  attempt: '<aws.scheduler.attempt-number>',
  arn: '<aws.scheduler.schedule-arn>',
});

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'npswave-scheduler-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Records every event; throws for the first `failures` calls (Lambda errors the scheduler retries). */
function recorder(failures = 0): Invoker & { events: unknown[] } {
  const events: unknown[] = [];
  return {
    events,
    async invoke(_name, event) {
      events.push(event);
      if (events.length <= failures) throw new Error('handler failed');
      return {};
    },
  };
}

describe('context attributes in the target’s Input', () => {
  it('a cron firing in Stockholm carries its scheduled time in UTC, whole seconds', async () => {
    const store = await ScheduleStore.open(dir);
    const schedule = await store.create('cadence-s_a', {
      ScheduleExpression: 'cron(0 9 2 12 ? *)',
      ScheduleExpressionTimezone: 'Europe/Stockholm',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: sendArn, RoleArn: 'arn:aws:iam::000000000000:role/r', Input: input },
    });
    const functions = recorder();
    const scheduler = new Scheduler(store, functions, silentLog);
    const atMs = scheduler.occurrenceAfter(schedule, Date.parse('2026-11-22T00:00:00Z'));
    expect(atMs).toBe(Date.parse('2026-12-02T08:00:00Z'));
    await scheduler.fire({ schedule, atMs: atMs ?? 0 });
    expect(functions.events).toEqual([
      {
        type: 'wave.start',
        surveyId: 's_aaaaaaaaaaaaaaaa',
        scheduledAt: '2026-12-02T08:00:00Z',
        execution: expect.stringMatching(/^[0-9a-f-]{36}$/),
        attempt: '1',
        arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/cadence-s_a',
      },
    ]);
    // The stored Input is what was given: GetSchedule shows the attributes, not a firing's values.
    expect(store.get('cadence-s_a').Target.Input).toBe(input);
  });

  it('a retried attempt keeps the scheduled time and the execution id and counts the attempt', async () => {
    const store = await ScheduleStore.open(dir);
    const schedule = await store.create('retry', {
      ScheduleExpression: 'rate(1 day)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: sendArn,
        RoleArn: 'arn:aws:iam::000000000000:role/r',
        Input: input,
        RetryPolicy: { MaximumRetryAttempts: 2 },
      },
    });
    const functions = recorder(1);
    await new Scheduler(store, functions, silentLog).fire({
      schedule,
      atMs: Date.parse('2026-12-02T09:00:00.750Z'),
    });
    const [first, second] = functions.events as Record<string, string>[];
    expect(first).toMatchObject({ scheduledAt: '2026-12-02T09:00:00Z', attempt: '1' });
    expect(second).toMatchObject({ scheduledAt: '2026-12-02T09:00:00Z', attempt: '2' });
    expect(second?.execution).toBe(first?.execution);
  });

  it('leaves an Input without attributes, and a missing one, as they are', () => {
    const context = { scheduleArn: 'arn', scheduledMs: 0, executionId: 'x', attempt: 1 };
    expect(withContextAttributes('{"type":"waves.resume"}', context)).toBe('{"type":"waves.resume"}');
    expect(withContextAttributes(undefined, context)).toBeUndefined();
  });
});
