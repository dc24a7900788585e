/**
 * The expire function: fired by a one-time schedule at a wave's `closesAt` (or a triggered
 * invitation's), it closes the wave and expires what is still open.
 */
import * as v from 'valibot';
import { describeIssues } from '../../shared/http.ts';
import { expireTriggered } from '../../shared/send/triggered-delivery.ts';
import { expireWave } from '../../shared/wave/expire.ts';

const event = v.union([
  v.object({ waveId: v.pipe(v.string(), v.regex(/^w_[a-z2-7]{16}$/)) }),
  v.object({ token: v.pipe(v.string(), v.maxLength(100)) }),
]);

export const handler = async (input: unknown) => {
  const parsed = v.safeParse(event, input);
  if (!parsed.success) throw new Error(`expire: bad event: ${describeIssues(parsed.issues)}`);
  const job = parsed.output;
  if ('token' in job) return { token: job.token, result: await expireTriggered(job.token) };
  return { waveId: job.waveId, result: await expireWave(job.waveId) };
};
