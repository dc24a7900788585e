/**
 * The account's one SES rate (shared/send/ses-rate.ts): two senders in different containers take
 * their slots from one schedule in the system table; together they never start more than the rate
 * in any one-second window, and together they use most of it.
 */
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { latenessMs, SharedSesRate, slotIntervalMs } from '../../shared/send/ses-rate.ts';

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

  it('spaces slots so that a whole second never holds more than the rate, with milliseconds of lateness allowed', () => {
    for (const rate of [1, 2, 14, 20, 200, 1000, 100_000]) {
      const interval = slotIntervalMs(rate);
      const lateness = latenessMs(rate);
      expect(Math.floor((1000 + lateness) / interval) + 1).toBeLessThanOrEqual(rate);
      // A busy event loop is late by milliseconds, whatever the rate.
      expect(lateness).toBeGreaterThan(20);
      // And most of the rate is used.
      expect(1000 / interval).toBeGreaterThanOrEqual(Math.min(rate - 0.5, 0.96 * rate) - 1e-9);
    }
  });

  it('gives up exactly the slots a late sender can no longer use, and takes the first it still can', async () => {
    let now = 1000;
    const waits: number[] = [];
    const sender = new SharedSesRate(20, {
      clock: () => now,
      wait: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    const interval = slotIntervalMs(20);
    const lateness = latenessMs(20);
    await sender.take(); // the reservation's first slot, at 1000
    expect(waits).toEqual([]);
    // Late by more than a slot and its lateness: the second and third slots are given up; the fourth
    // lies ahead, and is waited for.
    now = 1000 + 3 * interval - lateness / 2;
    await sender.take();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeCloseTo(lateness / 2, 6);
    expect(writes).toBe(1);
    // Within its lateness, a slot is still used as it comes.
    now = 1000 + 4 * interval + lateness - 1;
    await sender.take();
    expect(waits).toHaveLength(1);
    // Every slot of the reservation late: a new one, from now.
    now = 10_000;
    await sender.take();
    expect(writes).toBe(2);
    expect(stored).toBeCloseTo(10_000 + 5 * interval, 6);
  });

  it('lets one sender use a rate far above what it can send (no slot is too short to use)', async () => {
    const sender = new SharedSesRate(100_000);
    const started = Date.now();
    for (let taken = 1; taken <= 3000; taken++) {
      await sender.take();
      if (taken % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // Every take is served, from a reservation per quarter of a second or so (it was one per take,
    // for ever, when a slot could be used only 4 µs late), however slow this machine is today.
    const elapsed = Date.now() - started;
    expect(writes).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 3);
  });
});
