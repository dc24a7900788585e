/**
 * Random samples that can be explained afterwards: each contact's place in the sample is a hash of
 * the wave's seed and its id, so the same seed always picks the same people.
 */
import { createHash } from 'node:crypto';

/** A number in [0, 1) fixed by seed and contact. */
export function sampleRank(seed: string, contactId: string): number {
  const digest = createHash('sha256').update(`${seed}:${contactId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export const inPercentSample = (seed: string, contactId: string, percent: number): boolean =>
  sampleRank(seed, contactId) < percent / 100;
