/**
 * Keeping the aggregates exact. A stream record only says "look at this invitation": the score
 * function reads it, applies the difference between what the aggregates count for it and its
 * current answer, and moves its `countedVersion` in the same transaction, conditioned on the
 * version it read. A redelivered record finds nothing to do; a crash leaves nothing half-done.
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isTransactionConflict, transactionCancelReasons } from '../aws/dynamo-errors.ts';
import { tableName } from '../config.ts';
import { isContactId, tokenRef } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation } from '../invitation/store.ts';
import { backOff } from '../retry.ts';
import { aggregateKeys, answerDelta } from './aggregate.ts';

const maxAttempts = 8;

export type ReconcileResult = 'applied' | 'nothing-to-do';

export async function reconcileInvitation(token: string): Promise<ReconcileResult> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const inv = await getInvitation(token, true);
    if (!inv || inv.responseVersion === undefined || inv.score === undefined) return 'nothing-to-do';
    if (inv.countedVersion === inv.responseVersion) {
      // Counted already, perhaps by a run that died right after its transaction: the write-back may
      // be what it never did. It is guarded by time, so doing it again changes nothing.
      await writeBackFeedback(inv);
      return 'nothing-to-do';
    }
    try {
      await applyAnswer(inv);
      await writeBackFeedback(inv);
      return 'applied';
    } catch (err) {
      const reasons = transactionCancelReasons(err);
      const raced = reasons?.[0] === 'ConditionalCheckFailed' || isTransactionConflict(err);
      if (!raced) throw err;
      await backOff(attempt, 20, 1000);
    }
  }
  throw new Error(`could not reconcile invitation ${tokenRef(token)} after ${maxAttempts} attempts`);
}

async function applyAnswer(inv: Invitation): Promise<void> {
  const delta = answerDelta(inv.countedScore, inv.score as number);
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const adds = Object.entries(delta).map(([attr, n], i) => {
    names[`#a${i}`] = attr;
    values[`:a${i}`] = n;
    return `#a${i} :a${i}`;
  });
  const aggregateUpdates = adds.length
    ? aggregateKeys(inv).map(({ key, attributes = {} }) => {
        // A value item also names its value and index group: set on every count, they never change.
        const sets = Object.entries(attributes).map(([attr, value], i) => ({ attr, value, i }));
        return {
          Update: {
            TableName: tableName('aggregates'),
            Key: { surveyId: inv.surveyId, key },
            UpdateExpression:
              `ADD ${adds.join(', ')}` +
              (sets.length ? ` SET ${sets.map(({ i }) => `#s${i} = :s${i}`).join(', ')}` : ''),
            ExpressionAttributeNames: {
              ...names,
              ...Object.fromEntries(sets.map(({ attr, i }) => [`#s${i}`, attr])),
            },
            ExpressionAttributeValues: {
              ...values,
              ...Object.fromEntries(sets.map(({ value, i }) => [`:s${i}`, value])),
            },
          },
        };
      })
    : [];
  const guard =
    inv.countedVersion === undefined
      ? 'attribute_not_exists(countedVersion) AND responseVersion = :rv'
      : 'countedVersion = :cv AND responseVersion = :rv';
  await dynamo().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: tableName('invitations'),
            Key: { token: inv.token },
            UpdateExpression: 'SET countedVersion = :rv, countedScore = :score',
            ConditionExpression: guard,
            ExpressionAttributeValues: {
              ':rv': inv.responseVersion,
              ':score': inv.score,
              ...(inv.countedVersion !== undefined && { ':cv': inv.countedVersion }),
            },
          },
        },
        ...aggregateUpdates,
      ],
    }),
  );
}

/** The latest answer wins on the contact, even when records arrive out of order. */
async function writeBackFeedback(inv: Invitation): Promise<void> {
  if (!isContactId(inv.contactId) || inv.anonymous || !inv.respondedAt) return;
  const feedback = {
    lastRating: inv.score,
    ...(inv.comment && { lastComment: inv.comment }),
    lastResponseAt: inv.respondedAt,
  };
  await dynamo()
    .send(
      new UpdateCommand({
        TableName: tableName('contacts'),
        Key: { id: inv.contactId },
        UpdateExpression: 'SET feedback.#kind = :fb',
        ConditionExpression:
          'attribute_exists(id) AND attribute_exists(feedback) AND (attribute_not_exists(feedback.#kind) OR feedback.#kind.lastResponseAt <= :at)',
        ExpressionAttributeNames: { '#kind': inv.kind },
        ExpressionAttributeValues: { ':fb': feedback, ':at': inv.respondedAt },
      }),
    )
    .catch((err: unknown) => {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    });
}
