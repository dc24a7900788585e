/** A wave as the admin API shows it: its counts, with `responded` read from its aggregate. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/aws/clients.ts';
import { tableName } from '../../shared/config.ts';
import { type PublicWave, publicWave, type Wave } from '../../shared/wave/schema.ts';

export async function waveView(wave: Wave): Promise<PublicWave> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName('aggregates'),
      Key: { surveyId: wave.surveyId, key: `W#${wave.id}` },
    }),
  );
  const view = publicWave(wave);
  return { ...view, counts: { ...view.counts, responded: Number(Item?.responses ?? 0) } };
}
