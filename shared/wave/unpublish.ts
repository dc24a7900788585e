/**
 * After an unpublish, each open wave closes at min(its closesAt, unpublish + 14 days): the wave's
 * `closesAt` moves earlier and its expiry is scheduled for then. Invitations keep their own
 * `closesAt`; the response page also checks the survey's unpublish time, so none is answerable after.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import type { Survey } from '../survey/schema.ts';
import { listWaves } from './store.ts';

export const unpublishGraceDays = 14;
/** The `closesAt` of a survey's rolling waves (triggered invitations, link answers): never. */
const rollingWaveClosesAt = '9999-12-31';

/** When a survey's invitations stop being answerable because it was unpublished, if it was. */
export function unpublishDeadline(survey: Pick<Survey, 'state' | 'unpublishedAt'>): string | undefined {
  if (survey.state !== 'unpublished' || !survey.unpublishedAt) return undefined;
  return new Date(Date.parse(survey.unpublishedAt) + unpublishGraceDays * 86_400_000).toISOString();
}

export async function closeWavesAfterUnpublish(survey: Survey): Promise<void> {
  const deadline = unpublishDeadline(survey);
  if (!deadline) return;
  for (const wave of await listWaves(survey.id)) {
    if (wave.status === 'closed' || wave.closesAt <= deadline) continue;
    // The rolling "triggered" and "link" waves never close: each triggered invitation has its own
    // expiry, and pages check the unpublish deadline themselves. Closing them here would also expire
    // invitations triggered after a republish, before their own time.
    if (wave.closesAt >= rollingWaveClosesAt) continue;
    await dynamo()
      .send(
        new UpdateCommand({
          TableName: tableName('surveys'),
          Key: { pk: `WAVE#${wave.id}`, sk: 'WAVE' },
          UpdateExpression: 'SET closesAt = :deadline',
          ConditionExpression: 'closesAt > :deadline',
          ExpressionAttributeValues: { ':deadline': deadline },
        }),
      )
      .catch((err: unknown) => {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      });
    await scheduleOnce(scheduleName('expire', wave.id, 'unpublished'), new Date(deadline), 'expire', {
      waveId: wave.id,
    });
  }
}
