/**
 * One-time schedules on EventBridge Scheduler: `at()` in UTC, deleted after they run, in the stack's
 * group, run by the stack's scheduler role, with a retry policy. Creating one twice is harmless.
 */
import { CreateScheduleCommand, DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import { schedulerClient } from '../aws/clients.ts';
import { requireEnv } from '../config.ts';

export type ScheduleTarget = 'send' | 'remind' | 'expire' | 'deliver' | 'digest';

const targetArn = (target: ScheduleTarget): string => requireEnv(`${target.toUpperCase()}_FUNCTION_ARN`);

/**
 * `at(2026-11-22T13:05:00)`: whole seconds, UTC, rounded up. Rounding down would fire up to a second
 * before `when`, and the targets compare times (an expiry at 12:00:00.400 fired at 12:00:00 finds the
 * wave "not yet" closing, a delayed invitation "not yet" due), after which the schedule deletes itself.
 */
export const atExpression = (when: Date): string =>
  `at(${new Date(Math.ceil(when.getTime() / 1000) * 1000).toISOString().slice(0, 19)})`;

/** Schedule names: letters, digits, - _ . and at most 64 characters. */
export const scheduleName = (...parts: string[]): string =>
  parts
    .join('-')
    .replace(/[^0-9A-Za-z_.-]/g, '_')
    .slice(0, 64);

export async function scheduleOnce(
  name: string,
  when: Date,
  target: ScheduleTarget,
  input: unknown,
): Promise<void> {
  try {
    await schedulerClient().send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: requireEnv('SCHEDULE_GROUP'),
        ScheduleExpression: atExpression(when),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        State: 'ENABLED',
        Target: {
          Arn: targetArn(target),
          RoleArn: requireEnv('SCHEDULER_ROLE_ARN'),
          Input: JSON.stringify(input),
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        },
      }),
    );
  } catch (err) {
    // Already there: an earlier attempt created it. Same name, same purpose.
    if ((err as { name?: string }).name !== 'ConflictException') throw err;
  }
}

export async function deleteSchedule(name: string): Promise<void> {
  try {
    await schedulerClient().send(
      new DeleteScheduleCommand({ Name: name, GroupName: requireEnv('SCHEDULE_GROUP') }),
    );
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
}
