/**
 * Writes that count on a wave's item are tried again when DynamoDB refuses them for a conflicting
 * transaction (it applied nothing), and only then: a failed condition is an answer, not a conflict.
 * DynamoDB Local never raises these, so they are tested here against the mocked client.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { retryOnTransactionConflict } from '../../shared/aws/dynamo-errors.ts';
import { stampInvitationOnce } from '../../shared/invitation/store.ts';
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

describe('writes on a wave item held by a settle', () => {
  beforeEach(() => ddb.reset());

  it('addWaveCounts adds once the transaction has let go', async () => {
    ddb.on(UpdateCommand).rejectsOnce(heldByTransaction()).resolves({});
    await addWaveCounts('w_aaaaaaaaaaaaaaaa', { responded: 1 });
    const calls = ddb.commandCalls(UpdateCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toEqual(calls[0]?.args[0].input);
  });

  it('stampInvitationOnce stamps and counts after a conflict, and still answers false when already stamped', async () => {
    const invitation = { token: 's_aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb', waveId: 'w_aaaaaaaaaaaaaaaa' };
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    expect(
      await stampInvitationOnce(invitation, 'automatedAt', '2026-11-22T12:00:00.000Z', 'automated'),
    ).toBe(true);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);

    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    expect(
      await stampInvitationOnce(invitation, 'automatedAt', '2026-11-22T12:00:00.000Z', 'automated'),
    ).toBe(false);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('a failed condition on the wave (it does not exist) is not retried', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no wave', $metadata: {} }));
    await expect(addWaveCounts('w_missing', { responded: 1 })).rejects.toBeInstanceOf(
      ConditionalCheckFailedException,
    );
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});
