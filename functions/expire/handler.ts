/**
 * The expire function: fired by a one-time schedule at a wave's `closesAt` (or a triggered
 * invitation's), it closes the wave and expires what is still open. A wave too large for one
 * invocation goes on in a fresh one of this function, from where this one stopped.
 */
import * as v from 'valibot';
import { envNames } from '../../shared/config.ts';
import { eventHandler } from '../../shared/lambda/handler.ts';
import { invokeAsync } from '../../shared/lambda/invoke.ts';
import { expireTriggered } from '../../shared/send/triggered-delivery.ts';
import { expireWave } from '../../shared/wave/expire.ts';

const event = v.union([
  v.object({
    waveId: v.pipe(v.string(), v.regex(/^w_[a-z2-7]{16}$/)),
    /** Where the previous invocation stopped (the byWave index's key). */
    after: v.optional(v.record(v.string(), v.pipe(v.string(), v.maxLength(200)))),
  }),
  v.object({ token: v.pipe(v.string(), v.maxLength(100)) }),
]);

export const handler = eventHandler({ name: 'expire', event }, async (job, context) => {
  if ('token' in job) return { token: job.token, result: await expireTriggered(job.token) };
  const { result, next } = await expireWave(job.waveId, context.deadline, job.after);
  if (next) await invokeAsync(envNames.expireFunctionArn, { waveId: job.waveId, after: next });
  return { waveId: job.waveId, result };
});
