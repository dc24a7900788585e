/**
 * Forms that must act once: a page gives its form a random one-time key, and the action first takes
 * that key with a conditional put in the system table. A second post of the same form (a double
 * click, a reload, a retry after a lost answer) finds the key taken and does nothing again.
 */
import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws/clients.ts';
import { isConditionFailure } from './aws/dynamo-errors.ts';
import { tableName } from './config.ts';
import { badRequest } from './errors.ts';

/** How long a form's key is remembered: longer than anyone keeps a form open. */
const onceSeconds = 2 * 86_400;

export const newOnceKey = (): string => randomBytes(16).toString('base64url');

/** Takes the form's key for `scope`; answers false when a post of the same form already took it. */
export async function takeOnce(scope: string, key: string | null | undefined): Promise<boolean> {
  if (!key || !/^[A-Za-z0-9_-]{22}$/.test(key))
    throw badRequest('the form has no valid one-time key; reload the page');
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName('system'),
        Item: {
          pk: `ONCE#${scope}#${key}`,
          sk: 'ONCE',
          expiresAt: Math.ceil(Date.now() / 1000) + onceSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}
