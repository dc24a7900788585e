/** Starting a wave of a published survey. */
import { nowIso, nowMs } from '../clock.ts';
import { conflict } from '../errors.ts';
import { newId, newWaveSecret } from '../ids.ts';
import { invokeSend } from '../send/invoke.ts';
import type { Survey } from '../survey/schema.ts';
import { requireSurvey } from '../survey/store.ts';
import { type Wave, zeroCounts } from './schema.ts';
import { markWaveActive, putNewWave } from './store.ts';
import { scheduleWaveTimers } from './timers.ts';

/**
 * Creates the wave (status `sending`, nothing selected yet) and its expiry and reminder schedules;
 * the send job does the rest.
 */
export async function createWave(surveyOrId: Survey | string, trigger: Wave['trigger']): Promise<Wave> {
  const survey = typeof surveyOrId === 'string' ? await requireSurvey(surveyOrId) : surveyOrId;
  if (survey.state !== 'published')
    throw conflict(`survey ${survey.id} is ${survey.state}; publish it first`);
  const id = newId('w');
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
  await putNewWave(wave);
  await scheduleWaveTimers(wave, survey);
  return wave;
}

/** Starts a wave now (the admin API, the dashboard): the wave, then the send job it runs in. */
export async function startWaveNow(surveyId: string): Promise<Wave> {
  const wave = await createWave(surveyId, 'api');
  await invokeSend({ type: 'wave.continue', waveId: wave.id });
  return wave;
}
