/** The expire function: fired by a one-time schedule at a wave's `closesAt`, it closes the wave. */
import * as v from 'valibot';
import { describeIssues } from '../../shared/http.ts';
import { expireWave } from '../../shared/wave/expire.ts';

const event = v.object({ waveId: v.pipe(v.string(), v.regex(/^w_[a-z2-7]{16}$/)) });

export const handler = async (input: unknown) => {
  const parsed = v.safeParse(event, input);
  if (!parsed.success) throw new Error(`expire: bad event: ${describeIssues(parsed.issues)}`);
  return { waveId: parsed.output.waveId, result: await expireWave(parsed.output.waveId) };
};
