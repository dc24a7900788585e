/**
 * Fixed-window rate limits kept in the system table: one counter item per key and window, removed
 * by TTL after the window. The count and the check are one conditional update, so two requests at
 * once can never both take the last unit.
 */
import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws/clients.ts';
import { isConditionFailure } from './aws/dynamo-errors.ts';
import { nowMs } from './clock.ts';
import { tableName } from './config.ts';
import { AppError } from './errors.ts';

export interface RateLimit {
  /** What is limited, e.g. `link#s_…` or `sign-in`. */
  scope: string;
  /** Who is limited (an address); hashed before it is stored. */
  subject: string;
  limit: number;
  windowSeconds: number;
  /** The English reason of the 429 (pages translate by status). */
  message: string;
}

/** An address or other subject as a short, stable key that does not store it in the clear. */
export const subjectKey = (subject: string): string =>
  createHash('sha256').update(subject).digest('base64url').slice(0, 22);

/** Counts one request in the current window; 429 once the window holds `limit` of them. */
export async function takeRateLimit(rule: RateLimit): Promise<void> {
  const window = Math.floor(nowMs() / 1000 / rule.windowSeconds);
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('system'),
        Key: { pk: `RATE#${rule.scope}#${subjectKey(rule.subject)}`, sk: String(window) },
        UpdateExpression: 'ADD answers :one SET expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(answers) OR answers < :limit',
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': rule.limit,
          ':expires': (window + 2) * rule.windowSeconds,
        },
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw new AppError('throttled', rule.message);
    throw err;
  }
}
