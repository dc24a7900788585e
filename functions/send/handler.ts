/**
 * The send function: works on a wave until it is sent or this invocation's time runs short, then
 * hands the rest to a fresh invocation of itself; selects a wave's audience one scan segment per
 * invocation (`wave.select`). Also resumes waves a crash left behind.
 */
import * as v from 'valibot';
import { eventHandler } from '../../shared/lambda/handler.ts';
import { invokeSend, type SendJob } from '../../shared/send/invoke.ts';
import { runSegment } from '../../shared/send/segments.ts';
import { sendTriggered, sweepTriggered } from '../../shared/send/triggered-delivery.ts';
import { runWave } from '../../shared/send/wave-job.ts';
import { requireSurvey } from '../../shared/survey/store.ts';
import { ensureWaveTimers, startScheduledWave } from '../../shared/wave/start.ts';
import { listActiveWaveIds } from '../../shared/wave/store.ts';

const job = v.variant('type', [
  v.object({ type: v.literal('wave.continue'), waveId: v.pipe(v.string(), v.regex(/^w_[a-z2-7]{16}$/)) }),
  v.object({
    type: v.literal('wave.select'),
    waveId: v.pipe(v.string(), v.regex(/^w_[a-z2-7]{16}$/)),
    segment: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(31)),
  }),
  v.object({
    type: v.literal('wave.start'),
    surveyId: v.pipe(v.string(), v.regex(/^s_[a-z2-7]{16}$/)),
    // Scheduler's `<aws.scheduler.scheduled-time>`; absent from schedules made before it was asked for.
    scheduledAt: v.optional(v.pipe(v.string(), v.maxLength(64))),
  }),
  v.object({ type: v.literal('invitation.send'), token: v.pipe(v.string(), v.maxLength(100)) }),
  v.object({ type: v.literal('waves.resume') }),
]);

export const handler = eventHandler(
  { name: 'send', event: job },
  async (input: SendJob, { deadline, stopBy }) => {
    if (input.type === 'waves.resume') {
      for (const waveId of await listActiveWaveIds()) {
        // A wave whose start stopped before its expiry was scheduled gets it here, before it runs on;
        // one that cannot (its survey gone) must not hold back the others.
        await ensureWaveTimers(waveId).catch((err) => console.error(`send: timers of ${waveId}`, err));
        await invokeSend({ type: 'wave.continue', waveId });
      }
      // Triggered invitations whose own invocation or schedule never came, or whose send must be tried again.
      return { resumed: true, triggered: await sweepTriggered(deadline) };
    }
    if (input.type === 'wave.select')
      return {
        waveId: input.waveId,
        segment: input.segment,
        result: await runSegment(input.waveId, input.segment, deadline, requireSurvey),
      };
    if (input.type === 'invitation.send')
      return { token: input.token, result: await sendTriggered(input.token, deadline) };
    const waveId =
      input.type === 'wave.start'
        ? (await startScheduledWave(input.surveyId, input.scheduledAt)).id
        : input.waveId;
    const result = await runWave(waveId, deadline, stopBy);
    if (result === 'more') await invokeSend({ type: 'wave.continue', waveId });
    return { waveId, result };
  },
);
