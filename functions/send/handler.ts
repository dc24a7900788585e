/**
 * The send function: works on a wave until it is sent or this invocation's time runs short, then
 * hands the rest to a fresh invocation of itself. Also resumes waves a crash left behind.
 */
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { describeIssues } from '../../shared/http.ts';
import { invokeSend, type SendJob } from '../../shared/send/invoke.ts';
import { sendTriggered } from '../../shared/send/triggered-delivery.ts';
import { runWave } from '../../shared/send/wave-job.ts';
import { createWave } from '../../shared/wave/start.ts';
import { listActiveWaveIds } from '../../shared/wave/store.ts';

const job = v.variant('type', [
  v.object({ type: v.literal('wave.continue'), waveId: v.pipe(v.string(), v.regex(/^w_[a-z2-7]{16}$/)) }),
  v.object({ type: v.literal('wave.start'), surveyId: v.pipe(v.string(), v.regex(/^s_[a-z2-7]{16}$/)) }),
  v.object({ type: v.literal('invitation.send'), token: v.pipe(v.string(), v.maxLength(100)) }),
  v.object({ type: v.literal('waves.resume') }),
]);

/** Time kept in hand at the end of an invocation for the checkpoint and the hand-over. */
const marginMs = 20_000;
const localBudgetMs = 5 * 60_000;

export const handler = async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  const parsed = v.safeParse(job, event);
  if (!parsed.success) throw new Error(`send: bad event: ${describeIssues(parsed.issues)}`);
  const input: SendJob = parsed.output;
  const deadline = Date.now() + (context ? context.getRemainingTimeInMillis() - marginMs : localBudgetMs);
  if (input.type === 'waves.resume') {
    for (const waveId of await listActiveWaveIds()) await invokeSend({ type: 'wave.continue', waveId });
    return { resumed: true };
  }
  if (input.type === 'invitation.send')
    return { token: input.token, result: await sendTriggered(input.token, deadline) };
  const waveId =
    input.type === 'wave.start' ? (await createWave(input.surveyId, 'schedule')).id : input.waveId;
  const result = await runWave(waveId, deadline);
  if (result === 'more') await invokeSend({ type: 'wave.continue', waveId });
  return { waveId, result };
};
