/**
 * The alerts function: the second consumer of the invitations stream. Each answered invitation's
 * record is "judge this answer against its survey's rules" (shared/alert/fire.ts); what fires is
 * written as delivery records and follow-ups in one transaction, then handed to the deliver function.
 *
 * The batch's invitations are judged several at once: each judgement reads the invitation as it is
 * now and is conditioned on the version it read, so their order does not matter, and the same
 * invitation is never judged twice in one batch. What fails, and what the time budget leaves, is
 * reported from the earliest such record: Lambda hands that record and everything after it back.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import * as v from 'valibot';
import { fireAlerts, handOverDeliveries, isPermanentFiringError } from '../../shared/alert/fire.ts';
import { tokenRef } from '../../shared/ids.ts';
import { eventHandler } from '../../shared/lambda/handler.ts';
import { mapConcurrent } from '../../shared/send/concurrency.ts';

const isObject = (input: unknown): boolean => typeof input === 'object' && input !== null;
const event = v.object({ Records: v.array(v.custom<DynamoDBRecord>(isObject)) });

/** Invitations judged at once within a batch. */
const concurrency = 16;

export const handler = eventHandler(
  { name: 'alerts', event },
  async ({ Records }, context): Promise<DynamoDBBatchResponse> => {
    // The first record of each invitation that needs judging (later ones are judged by reading it).
    const firstOf = new Map<string, number>();
    Records.forEach((record, index) => {
      const token = record.dynamodb?.Keys?.token?.S;
      const image = record.dynamodb?.NewImage;
      if (!token || !image?.responseVersion || firstOf.has(token)) return;
      // Judged already (e.g. the echo of this function's own write): nothing to read.
      if (image.alertedVersion?.N === image.responseVersion.N) return;
      firstOf.set(token, index);
    });
    // Each answer's deliveries go to the deliver function as soon as they are written.
    const handovers: Promise<void>[] = [];
    let retryFrom = Number.POSITIVE_INFINITY;
    await mapConcurrent([...firstOf], concurrency, async ([token, index]) => {
      if (Date.now() >= context.deadline) {
        retryFrom = Math.min(retryFrom, index);
        return;
      }
      try {
        handovers.push(handOverDeliveries((await fireAlerts(token)).deliveryIds));
      } catch (err) {
        const { name, message } = (err ?? {}) as Error;
        if (isPermanentFiringError(err)) {
          // Retrying would hold up every answer behind it, and fail the same way: say so and go on.
          console.error(`ALERT alerts: cannot judge ${tokenRef(token)}: ${name}: ${message}`);
          return;
        }
        console.error('alerts: firing failed', tokenRef(token), name, message);
        retryFrom = Math.min(retryFrom, index);
      }
    });
    // (If an invoke is lost, the sweep finds the records: they are due.)
    await Promise.all(handovers);
    const failed = Records[retryFrom];
    return { batchItemFailures: failed ? [{ itemIdentifier: failed.dynamodb?.SequenceNumber ?? '' }] : [] };
  },
);
