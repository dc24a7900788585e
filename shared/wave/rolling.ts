/**
 * Rolling waves: one per survey and kind ("link" answers, "triggered" invitations), created on first
 * use, always open, so their answers count in the survey's scores and response rates like any wave's.
 */
import { createHash } from 'node:crypto';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso } from '../clock.ts';
import { base32, newWaveSecret } from '../ids.ts';
import type { Survey } from '../survey/schema.ts';
import { type Wave, zeroCounts } from './schema.ts';
import { getWave, putNewWave } from './store.ts';

export type RollingKind = 'link' | 'triggered';

/** The rolling wave's id, derived from the survey so that every writer finds the same one. */
export const rollingWaveId = (kind: RollingKind, surveyId: string): string =>
  `w_${base32(createHash('sha256').update(`${kind}:${surveyId}`).digest()).slice(0, 16)}`;

/** The survey's rolling wave of this kind: read it, or create it (two first users race harmlessly). */
export async function ensureRollingWave(kind: RollingKind, survey: Survey): Promise<Wave> {
  const id = rollingWaveId(kind, survey.id);
  const existing = await getWave(id);
  if (existing) return existing;
  const wave: Wave = {
    id,
    surveyId: survey.id,
    status: 'open',
    phase: 'sent',
    trigger: 'api',
    startedAt: nowIso(),
    closesAt: '9999-12-31T23:59:59.999Z',
    counts: zeroCounts(),
    secret: newWaveSecret(),
  };
  try {
    await putNewWave(wave);
    return wave;
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    return (await getWave(id)) as Wave;
  }
}

/** Whether a wave is one of the survey's rolling waves (always open; no send of its own). */
export const isRollingWave = (wave: Pick<Wave, 'id' | 'surveyId'>): boolean =>
  wave.id === rollingWaveId('link', wave.surveyId) || wave.id === rollingWaveId('triggered', wave.surveyId);
