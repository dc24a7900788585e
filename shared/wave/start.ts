/** Starting a wave of a published survey: now (the admin API, the dashboard) or at a cadence's firing. */

import { createHash } from 'node:crypto';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { conflict } from '../errors.ts';
import { base32, newId, newWaveSecret } from '../ids.ts';
import { latestCadenceFiring } from '../schedule/cadence.ts';
import { invokeSend } from '../send/invoke.ts';
import type { Survey } from '../survey/schema.ts';
import { requireSurvey } from '../survey/store.ts';
import { type Wave, zeroCounts } from './schema.ts';
import { getWave, markWaveActive, markWaveTimersScheduled, putNewWave } from './store.ts';
import { scheduleWaveTimers } from './timers.ts';

/**
 * Creates the wave (status `sending`, nothing selected yet) and its expiry and reminder schedules;
 * the send job does the rest. Given an id (derived from a request that may come twice), a wave that
 * already exists under it is answered as it is, and nothing is doubled.
 *
 * The wave is stored with `timersPending` before its schedules are made, and the mark is removed
 * after: a run that stops in between (a timeout, a crash) leaves a wave that says so, and its next
 * start under the same id or the sweeper (`ensureWaveTimers`) makes the schedules. Its active mark,
 * written first, is what brings the sweeper to it.
 */
export async function createWave(
  surveyOrId: Survey | string,
  trigger: Wave['trigger'],
  givenId?: string,
): Promise<Wave> {
  const survey = typeof surveyOrId === 'string' ? await requireSurvey(surveyOrId) : surveyOrId;
  if (givenId) {
    const existing = await getWave(givenId);
    if (existing) {
      if (existing.surveyId !== survey.id) throw conflict(`wave ${givenId} belongs to another survey`);
      await finishWaveTimers(existing, survey);
      return existing;
    }
  }
  if (survey.state !== 'published')
    throw conflict(`survey ${survey.id} is ${survey.state}; publish it first`);
  const id = givenId ?? newId('w');
  const wave: Wave = {
    id,
    surveyId: survey.id,
    status: 'sending',
    phase: 'selecting',
    trigger,
    startedAt: nowIso(),
    closesAt: new Date(nowMs() + survey.windowDays * 86_400_000).toISOString(),
    counts: zeroCounts(),
    secret: newWaveSecret(),
    timersPending: true,
    ...(survey.audience.sample && { sampleSeed: survey.audience.sample.seed ?? id }),
  };
  await markWaveActive(id, true);
  try {
    await putNewWave(wave);
  } catch (err) {
    // The same request twice at once: the other one made it.
    if (givenId && isConditionFailure(err)) return createWave(survey, trigger, givenId);
    // No wave was made: its marker must not send the sweeper after it every few minutes, for ever.
    // (A crash between the two leaves the marker; the sweeper's run finds no wave and drops it.)
    await markWaveActive(id, false).catch(() => undefined);
    throw err;
  }
  await finishWaveTimers(wave, survey);
  const { timersPending: _done, ...made } = wave;
  return made;
}

/** Makes the schedules of a wave whose creation has not made them yet; a closed wave needs none. */
async function finishWaveTimers(wave: Wave, survey: Survey): Promise<void> {
  if (!wave.timersPending || wave.status === 'closed') return;
  await scheduleWaveTimers(wave, survey);
  await markWaveTimersScheduled(wave.id);
}

/**
 * The sweeper's part: an active wave whose creation stopped between storing it and making its
 * schedules gets them now, from the stored wave (so the expiry is at the wave's own `closesAt`).
 */
export async function ensureWaveTimers(waveId: string): Promise<void> {
  const wave = await getWave(waveId);
  if (!wave?.timersPending) return;
  await finishWaveTimers(wave, await requireSurvey(wave.surveyId));
}

/** The wave of one cadence firing: the same id for every delivery of it (Scheduler delivers at least once). */
export const scheduledWaveId = (surveyId: string, scheduledAt: Date): string =>
  `w_${base32(createHash('sha256').update(`cadence:${surveyId}:${scheduledAt.toISOString()}`).digest()).slice(
    0,
    16,
  )}`;

/**
 * Starts (or continues) the wave of a cadence firing. Its id comes from the survey and the firing's
 * scheduled time, which the schedule's input carries (`<aws.scheduler.scheduled-time>`), so a
 * firing delivered twice, or retried after a failure, finds the wave its first delivery made.
 * An input without a usable time (a schedule made before it carried one, until the survey is next
 * published or its cadence edited) stands for the cadence's latest firing at or before now:
 * deliveries of one firing agree on it unless the next firing comes between them.
 */
export async function startScheduledWave(surveyId: string, scheduledTime: string | undefined): Promise<Wave> {
  const survey = await requireSurvey(surveyId);
  const given = scheduledTime === undefined ? Number.NaN : Date.parse(scheduledTime);
  const firing = Number.isFinite(given) ? new Date(given) : latestCadenceFiring(survey, new Date(nowMs()));
  return createWave(survey, 'schedule', firing && scheduledWaveId(survey.id, firing));
}

/**
 * Starts a wave now (the admin API, the dashboard): the wave, then the send job it runs in (which
 * takes a lease, so a second start of the same wave only finds it running).
 */
export async function startWaveNow(surveyId: string, waveId?: string): Promise<Wave> {
  const wave = await createWave(surveyId, 'api', waveId);
  await invokeSend({ type: 'wave.continue', waveId: wave.id });
  return wave;
}
