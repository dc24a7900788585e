/** A wave as the admin API shows it: its counts, with `responded` read from its aggregate. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/aws/clients.ts';
import { tableName } from '../../shared/config.ts';
import { type PublicWave, publicWave, type Wave } from '../../shared/wave/schema.ts';

export async function waveView(wave: Wave): Promise<PublicWave & { counts: { waiting: number } }> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName('aggregates'),
      Key: { surveyId: wave.surveyId, key: `W#${wave.id}` },
    }),
  );
  const view = publicWave(wave);
  const { selected, sent, failed, suppressed } = view.counts;
  // Not yet emailed: waiting for the send job or for a send window to open.
  const waiting = wave.status === 'sending' ? Math.max(0, selected - sent - failed - suppressed) : 0;
  return { ...view, counts: { ...view.counts, responded: Number(Item?.responses ?? 0), waiting } };
}
