/**
 * The score function: consumes the invitations stream, folds what settled invitations add to their
 * waves' counts (shared/wave/counts.ts), and reconciles each answered invitation into the aggregates. Failures are reported per record so that only they are retried; so is what is
 * left when the time budget runs out, so a slow batch resumes where it stopped instead of timing
 * out and being delivered again whole.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import * as v from 'valibot';
import { tokenRef } from '../../shared/ids.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { eventHandler } from '../../shared/lambda/handler.ts';
import { reconcileInvitation } from '../../shared/score/reconcile.ts';
import { foldWaveCounts } from '../../shared/wave/counts.ts';

const isObject = (input: unknown): boolean => typeof input === 'object' && input !== null;
/** DynamoDB Streams' own shape: only that it is a batch of records is checked. */
const event = v.object({ Records: v.array(v.custom<DynamoDBRecord>(isObject)) });

const retryFrom = (record: DynamoDBRecord): DynamoDBBatchResponse => ({
  batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }],
});

/** The invitation a record's new image shows, when it has something for the wave's counts. */
function uncountedImage(record: DynamoDBRecord): Invitation | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image?.uncounted || image.countedMask === undefined) return undefined;
  return unmarshall(image as Record<string, AttributeValue>) as Invitation;
}

export const handler = eventHandler(
  { name: 'score', event },
  async ({ Records }, context): Promise<DynamoDBBatchResponse> => {
    // The waves' counts first, for the whole batch in a few transactions: on a failure the batch
    // is delivered again whole, and what was counted is not counted twice.
    const uncounted = Records.map(uncountedImage).filter((inv): inv is Invitation => inv !== undefined);
    if (uncounted.length > 0) await foldWaveCounts(uncounted);
    const done = new Set<string>();
    for (const record of Records) {
      const token = record.dynamodb?.Keys?.token?.S;
      const image = record.dynamodb?.NewImage;
      // Only answers matter; the reconcile reads the item itself, so each token once per batch is enough.
      if (!token || !image?.responseVersion || done.has(token)) continue;
      // Already counted, e.g. the echo of this function's own write (it only moved countedVersion).
      // The stream carries new images only: this is all the filter needs, and each answer costs less.
      if (image.countedVersion?.N === image.responseVersion.N) continue;
      if (Date.now() >= context.deadline) return retryFrom(record);
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
        return retryFrom(record);
      }
    }
    return { batchItemFailures: [] };
  },
);
