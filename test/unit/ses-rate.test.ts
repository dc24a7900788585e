/**
 * The account's one SES rate (shared/send/ses-rate.ts): two senders in different containers take
 * their slots from one schedule in the system table; together they never start more than the rate
 * in any one-second window, and together they use most of it.
 */
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SharedSesRate, slotIntervalMs } from '../../shared/send/ses-rate.ts';

process.env.SYSTEM_TABLE = 'system';
const ddb = mockClient(DynamoDBDocumentClient);

/** The schedule item as DynamoDB would keep it, with the reservation's condition enforced. */
let stored: number | undefined;
let writes = 0;
beforeEach(() => {
  stored = undefined;
  writes = 0;
  ddb.reset();
  ddb
    .on(UpdateCommand)
    .callsFake((input: { ExpressionAttributeValues: { ':next': number; ':start': number } }) => {
      writes++;
      const { ':next': next, ':start': start } = input.ExpressionAttributeValues;
      if (stored !== undefined && stored > start) {
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
          Item: { pk: 'SESRATE', sk: 'ACCOUNT', nextAt: stored },
        });
      }
      stored = next;
      return {};
    });
});

const mostInAnySecond = (times: number[]): number => {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[j] as number) <= (sorted[i] as number) - 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
};

describe('the shared SES rate', () => {
  it('keeps two senders together at or under the rate in every 1-s window, and near it overall', async () => {
    const rate = 40;
    const senders = [new SharedSesRate(rate), new SharedSesRate(rate)];
    const times: number[] = [];
    const started = Date.now();
    const runFor = 1600;
    await Promise.all(
      senders.flatMap((sender) =>
        Array.from({ length: 4 }, async () => {
          while (Date.now() - started < runFor) {
            await sender.take();
            times.push(Date.now());
          }
        }),
      ),
    );
    expect(mostInAnySecond(times)).toBeLessThanOrEqual(rate);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    expect((times.length - 1) / span).toBeGreaterThan(rate * 0.85);
    // A few slots per write to the shared item, not one write per email.
    expect(writes).toBeLessThan(times.length / 3);
  });

  it('spaces slots so that a whole second never holds more than the rate', () => {
    for (const rate of [1, 2, 14, 20, 200, 1000]) {
      const interval = slotIntervalMs(rate);
      expect(Math.floor((1000 + 0.4 * interval) / interval) + 1).toBeLessThanOrEqual(rate);
    }
  });
});
