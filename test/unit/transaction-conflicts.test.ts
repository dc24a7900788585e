/**
 * Writes are tried again when DynamoDB refuses them for a conflicting transaction (it applied
 * nothing), and only then: a failed condition is an answer, not a conflict. The retry sits in the
 * DynamoDB client itself (shared/aws/clients.ts; test/unit/aws-clients.test.ts sends real requests
 * through it, test/integration/faults.test.ts through the fault proxy); here is the rule it applies.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { retryOnTransactionConflict } from '../../shared/aws/dynamo-errors.ts';
import { addWaveCounts } from '../../shared/wave/store.ts';

process.env.INVITATIONS_TABLE = 'invitations';
process.env.SURVEYS_TABLE = 'surveys';
const ddb = mockClient(DynamoDBDocumentClient);

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const heldByTransaction = () =>
  new TransactionConflictException({ message: 'ongoing transaction for the item', $metadata: {} });

describe('retryOnTransactionConflict', () => {
  const noSleep: number[] = [];
  const sleep = async (ms: number) => {
    noSleep.push(ms);
  };
  beforeEach(() => {
    noSleep.length = 0;
  });

  it('tries a conflicted write again with growing, jittered pauses, and answers its result', async () => {
    let calls = 0;
    const result = await retryOnTransactionConflict(async () => {
      calls++;
      if (calls === 1) throw cancelled('None', 'TransactionConflict');
      if (calls === 2) throw heldByTransaction();
      return 'done';
    }, sleep);
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(noSleep).toHaveLength(2);
    expect(noSleep[0]).toBeGreaterThanOrEqual(10);
    expect(noSleep[0]).toBeLessThanOrEqual(20);
    expect(noSleep[1]).toBeGreaterThanOrEqual(20);
    expect(noSleep[1]).toBeLessThanOrEqual(40);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const failed = cancelled('ConditionalCheckFailed', 'None');
    await expect(
      retryOnTransactionConflict(async () => {
        calls++;
        throw failed;
      }, sleep),
    ).rejects.toBe(failed);
    expect(calls).toBe(1);
  });

  it('gives up after eight retries and throws the last conflict', async () => {
    let calls = 0;
    await expect(
      retryOnTransactionConflict(async () => {
        calls++;
        throw cancelled('TransactionConflict');
      }, sleep),
    ).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(calls).toBe(9);
    expect(Math.max(...noSleep)).toBeLessThanOrEqual(1000);
  });
});

describe('a write on a wave item', () => {
  beforeEach(() => ddb.reset());

  it('a failed condition on the wave (it does not exist) is not retried', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no wave', $metadata: {} }));
    await expect(addWaveCounts('w_missing', { responded: 1 })).rejects.toBeInstanceOf(
      ConditionalCheckFailedException,
    );
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});
