import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { aggregateKeys, answerDelta } from '../../shared/score/aggregate.ts';
import { reconcileInvitation } from '../../shared/score/reconcile.ts';

process.env.INVITATIONS_TABLE = 'invitations';
process.env.AGGREGATES_TABLE = 'aggregates';
process.env.CONTACTS_TABLE = 'contacts';
const ddb = mockClient(DynamoDBDocumentClient);

const answered = (over: Partial<Invitation> = {}): Invitation => ({
  token: 't1',
  surveyId: 's1',
  waveId: 'w1',
  contactId: 'c1',
  kind: 'nps',
  scale: { min: 0, max: 10 },
  status: 'responded',
  createdAt: '2026-11-01T00:00:00.000Z',
  closesAt: '2099-01-01T00:00:00.000Z',
  score: 9,
  respondedAt: '2026-11-02T10:00:00.000Z',
  firstRespondedAt: '2026-11-02T10:00:00.000Z',
  responseVersion: 1,
  reportProps: { plan: 'pro' },
  ...over,
});

describe('aggregate deltas', () => {
  it('a first answer adds one response; a changed answer moves one count', () => {
    expect(answerDelta(undefined, 9)).toEqual({ responses: 1, sum: 9, d9: 1 });
    expect(answerDelta(9, 3)).toEqual({ sum: -6, d9: -1, d3: 1 });
    expect(answerDelta(4, 4)).toEqual({});
  });

  it('counts per survey, wave, day of first answer, reported property and its value', () => {
    expect(aggregateKeys(answered())).toEqual([
      { key: 'ALL' },
      { key: 'W#w1' },
      { key: 'D#2026-11-02' },
      { key: 'P#plan' },
      { key: 'P#plan#pro', attributes: { value: 'pro', segmentGroup: 's1#plan' } },
    ]);
  });
});

describe('reconciling an invitation', () => {
  beforeEach(() => ddb.reset());

  it('applies the delta and the counted version in one transaction, guarded by the version read', async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: answered({ score: 3, responseVersion: 2, countedVersion: 1, countedScore: 9 }) });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    expect(await reconcileInvitation('t1')).toBe('applied');
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(6);
    expect(items[0]?.Update?.ConditionExpression).toBe('countedVersion = :cv AND responseVersion = :rv');
    expect(items[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':rv': 2, ':cv': 1, ':score': 3 });
    const adds = items[1]?.Update?.ExpressionAttributeValues;
    expect(Object.values(adds ?? {}).sort()).toEqual([-6, -1, 1].sort());
    // The value's item names its value and its group in the breakdown index.
    const value = items[5]?.Update;
    expect(value?.Key).toEqual({ surveyId: 's1', key: 'P#plan#pro' });
    expect(value?.UpdateExpression).toBe('ADD #a0 :a0, #a1 :a1, #a2 :a2 SET #s0 = :s0, #s1 = :s1');
    expect(value?.ExpressionAttributeValues).toMatchObject({ ':s0': 'pro', ':s1': 's1#plan' });
  });

  it('counts nothing again for a redelivered record, but repeats the time-guarded write-back', async () => {
    ddb.on(GetCommand).resolves({ Item: answered({ countedVersion: 1, countedScore: 9 }) });
    ddb.on(UpdateCommand).resolves({});
    expect(await reconcileInvitation('t1')).toBe('nothing-to-do');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    // A run that died after its transaction never wrote the contact back: this one does.
    const writeBack = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(writeBack?.ConditionExpression).toContain('lastResponseAt <= :at');
  });

  it('re-reads and retries when another reconcile won the race', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: answered() })
      .resolves({ Item: answered({ countedVersion: 1, countedScore: 9 }) });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    expect(await reconcileInvitation('t1')).toBe('nothing-to-do');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('writes the latest answer back onto the contact, guarded by its time', async () => {
    ddb.on(GetCommand).resolves({ Item: answered({ comment: 'Fast support' }) });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    await reconcileInvitation('t1');
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ExpressionAttributeValues?.[':fb']).toEqual({
      lastRating: 9,
      lastComment: 'Fast support',
      lastResponseAt: '2026-11-02T10:00:00.000Z',
    });
    expect(input?.ConditionExpression).toContain('feedback.#kind.lastResponseAt <= :at');
  });

  it('writes nothing back for an anonymous survey', async () => {
    ddb.on(GetCommand).resolves({ Item: answered({ anonymous: true }) });
    ddb.on(TransactWriteCommand).resolves({});
    await reconcileInvitation('t1');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
