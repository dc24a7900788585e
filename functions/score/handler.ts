/**
 * The score function: consumes the invitations stream and reconciles each answered invitation into
 * the aggregates. Failures are reported per record so that only they are retried.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { tokenRef } from '../../shared/ids.ts';
import { reconcileInvitation } from '../../shared/score/reconcile.ts';

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const done = new Set<string>();
  for (const record of event.Records) {
    const token = record.dynamodb?.Keys?.token?.S;
    const image = record.dynamodb?.NewImage;
    // Only answers matter; the reconcile reads the item itself, so each token once per batch is enough.
    if (!token || !image?.responseVersion || done.has(token)) continue;
    // Already counted, e.g. the echo of this function's own write (it only moved countedVersion).
    // The stream carries new images only: this is all the filter needs, and each answer costs less.
    if (image.countedVersion?.N === image.responseVersion.N) continue;
    try {
      await reconcileInvitation(token);
      done.add(token);
    } catch (err) {
      console.error(
        'score: reconcile failed',
        tokenRef(token),
        (err as Error | undefined)?.name,
        (err as Error | undefined)?.message,
      );
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
};
