/** The remind function: fired by a one-time schedule, sends reminder n of a wave (or of one invitation). */
import * as v from 'valibot';
import { envNames } from '../../shared/config.ts';
import { eventHandler } from '../../shared/lambda/handler.ts';
import { invokeAsync } from '../../shared/lambda/invoke.ts';
import { remindWave } from '../../shared/send/reminders.ts';
import { remindTriggered } from '../../shared/send/triggered-delivery.ts';

const reminder = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5));
const event = v.union([
  v.object({ waveId: v.pipe(v.string(), v.regex(/^w_[a-z2-7]{16}$/)), reminder }),
  v.object({ token: v.pipe(v.string(), v.maxLength(100)), reminder }),
]);

export const handler = eventHandler({ name: 'remind', event }, async (job, { deadline, stopBy }) => {
  if ('token' in job) {
    await remindTriggered(job.token, job.reminder);
    return { token: job.token, reminder: job.reminder };
  }
  const result = await remindWave(job.waveId, job.reminder, deadline, stopBy);
  // The deadline came first: a fresh invocation goes on (a pass is safe to repeat).
  if (result === 'more')
    await invokeAsync(envNames.remindFunctionArn, { waveId: job.waveId, reminder: job.reminder });
  return { waveId: job.waveId, reminder: job.reminder, result };
});
