/**
 * What a rule's destinations remember between deliveries: a hook disabled by a 410 (until someone
 * redelivers to it or gives the rule a new URL), and the window that limits a rule's alert emails to
 * one per hour, so a bad day is a handful of summaries, not one email per answer.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';

/** At most one alert email per rule in this time; what matches meanwhile goes in the next one. */
export const alertEmailWindowMs = 60 * 60 * 1000;

const hookKey = (ruleId: string) => ({ pk: `HOOK#${ruleId}`, sk: 'HOOK' });
const windowKey = (ruleId: string) => ({ pk: `MAILWINDOW#${ruleId}`, sk: 'WINDOW' });

export interface DisabledHook {
  disabledAt: string;
  reason: string;
  url: string;
}

export async function disabledHook(ruleId: string): Promise<DisabledHook | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('alerts'), Key: hookKey(ruleId), ConsistentRead: true }),
  );
  return Item
    ? { disabledAt: String(Item.disabledAt), reason: String(Item.reason), url: String(Item.url) }
    : undefined;
}

/** Disables a hook; true only for the call that disabled it (so its owners are told once). */
export async function disableHook(ruleId: string, url: string, reason: string): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName('alerts'),
        Item: { ...hookKey(ruleId), disabledAt: nowIso(), reason, url },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export async function enableHook(ruleId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: tableName('alerts'), Key: hookKey(ruleId) }));
}

/**
 * Takes the rule's email window: true when an email may go now (and the next not before an hour
 * from now); otherwise the time the window opens again.
 */
export async function takeEmailWindow(
  ruleId: string,
): Promise<{ taken: true } | { taken: false; opensAt: string }> {
  const now = nowMs();
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('alerts'),
        Key: windowKey(ruleId),
        UpdateExpression: 'SET nextMailAt = :next',
        ConditionExpression: 'attribute_not_exists(nextMailAt) OR nextMailAt <= :now',
        ExpressionAttributeValues: { ':now': now, ':next': now + alertEmailWindowMs },
      }),
    );
    return { taken: true };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('alerts'), Key: windowKey(ruleId), ConsistentRead: true }),
  );
  const opensAt = typeof Item?.nextMailAt === 'number' ? Item.nextMailAt : now;
  return { taken: false, opensAt: new Date(Math.max(opensAt, now)).toISOString() };
}

/** Gives the window back after an email that did not go, so the retry is not held for an hour. */
export async function releaseEmailWindow(ruleId: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('alerts'),
      Key: windowKey(ruleId),
      UpdateExpression: 'SET nextMailAt = :now',
      ExpressionAttributeValues: { ':now': nowMs() },
    }),
  );
}
