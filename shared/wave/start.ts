/** Starting a wave of a published survey. */

import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { conflict } from '../errors.ts';
import { newId, newWaveSecret } from '../ids.ts';
import { invokeSend } from '../send/invoke.ts';
import type { Survey } from '../survey/schema.ts';
import { requireSurvey } from '../survey/store.ts';
import { type Wave, zeroCounts } from './schema.ts';
import { getWave, markWaveActive, putNewWave } from './store.ts';
import { scheduleWaveTimers } from './timers.ts';

/**
 * Creates the wave (status `sending`, nothing selected yet) and its expiry and reminder schedules;
 * the send job does the rest. Given an id (derived from a request that may come twice), a wave that
 * already exists under it is answered as it is, its schedules made sure of, and nothing is doubled.
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
      // The first request may have stopped before its schedules; a wave that has closed needs none.
      if (existing.status !== 'closed' && existing.closesAt > nowIso())
        await scheduleWaveTimers(existing, survey);
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
    ...(survey.audience.sample && { sampleSeed: survey.audience.sample.seed ?? id }),
  };
  await markWaveActive(id, true);
  try {
    await putNewWave(wave);
  } catch (err) {
    // The same request twice at once: the other one made it.
    if (!givenId || !isConditionFailure(err)) throw err;
    return createWave(survey, trigger, givenId);
  }
  await scheduleWaveTimers(wave, survey);
  return wave;
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
