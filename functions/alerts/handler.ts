/**
 * The alerts function: the second consumer of the invitations stream. Each answered invitation's
 * record is "judge this answer against its survey's rules" (shared/alert/fire.ts); what fires is
 * written as delivery records and follow-ups in one transaction, then handed to the deliver function.
 * Failures are reported per record, and so is what the time budget leaves, as the score function does.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import * as v from 'valibot';
import { fireAlerts, handOverDeliveries } from '../../shared/alert/fire.ts';
import { tokenRef } from '../../shared/ids.ts';
import { eventHandler } from '../../shared/lambda/handler.ts';

const isObject = (input: unknown): boolean => typeof input === 'object' && input !== null;
const event = v.object({ Records: v.array(v.custom<DynamoDBRecord>(isObject)) });

const retryFrom = (record: DynamoDBRecord): DynamoDBBatchResponse => ({
  batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }],
});

export const handler = eventHandler(
  { name: 'alerts', event },
  async ({ Records }, context): Promise<DynamoDBBatchResponse> => {
    const done = new Set<string>();
    const fired: string[] = [];
    try {
      for (const record of Records) {
        const token = record.dynamodb?.Keys?.token?.S;
        const image = record.dynamodb?.NewImage;
        if (!token || !image?.responseVersion || done.has(token)) continue;
        // Judged already (e.g. the echo of this function's own write): nothing to read.
        if (image.alertedVersion?.N === image.responseVersion.N) continue;
        if (Date.now() >= context.deadline) return retryFrom(record);
        try {
          const result = await fireAlerts(token);
          fired.push(...result.deliveryIds);
          done.add(token);
        } catch (err) {
          console.error(
            'alerts: firing failed',
            tokenRef(token),
            (err as Error | undefined)?.name,
            (err as Error | undefined)?.message,
          );
          return retryFrom(record);
        }
      }
      return { batchItemFailures: [] };
    } finally {
      // What was written is due now: try it at once (the sweep finds it if this invoke is lost).
      await handOverDeliveries(fired);
    }
  },
);
