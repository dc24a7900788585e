/**
 * A triggered invitation is written all or nothing (shared/wave/triggered.ts): its throttle lock,
 * the invitation, its count and its outbox entry in one transaction. Before, the lock came first on
 * its own, so a failure after it made the caller's retry answer "already invited" for an invitation
 * that never existed. The mocked table below keeps the lock as DynamoDB would.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Contact } from '../../shared/contact/schema.ts';
import { newSurvey } from '../../shared/survey/lifecycle.ts';
import { triggerInvitation } from '../../shared/wave/triggered.ts';

Object.assign(process.env, {
  INVITATIONS_TABLE: 'invitations',
  SURVEYS_TABLE: 'surveys',
  CONTACTS_TABLE: 'contacts',
  SYSTEM_TABLE: 'system',
  SEND_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:send',
  SCHEDULE_GROUP: 'npswave',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/scheduler',
  PUBLIC_URL: 'https://feedback.example.test',
});
const ddb = mockClient(DynamoDBDocumentClient);
mockClient(SchedulerClient).onAnyCommand().resolves({});
mockClient(LambdaClient).onAnyCommand().resolves({});

const survey = {
  ...newSurvey(
    { kind: 'csat', name: 'Support', audience: { skipIfSurveyedWithinDays: 30 } },
    '2026-11-01T00:00:00.000Z',
  ),
  state: 'published' as const,
};
const contact: Contact = {
  id: 'c_ann',
  email: 'ann@customer.test',
  properties: {},
  status: 'subscribed',
  feedback: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** Lock items written so far, as DynamoDB keeps them. */
const locks = new Set<string>();
const lockTaken = (pk: string) => {
  if (locks.has(pk)) {
    throw Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed' },
        { Code: 'None' },
        { Code: 'None' },
        { Code: 'None' },
      ],
    });
  }
};

describe('a triggered invitation', () => {
  let failNext = false;
  beforeEach(() => {
    locks.clear();
    ddb.reset();
    ddb.on(GetCommand).resolves({
      Item: {
        pk: 'WAVE#w_aaaaaaaaaaaaaaaa',
        sk: 'WAVE',
        id: 'w_aaaaaaaaaaaaaaaa',
        surveyId: survey.id,
        status: 'open',
        phase: 'sent',
        closesAt: '9999-12-31T23:59:59.999Z',
        counts: {},
        secret: 'a-wave-secret-of-enough-length-000',
      },
    });
    // The old way: the lock on its own.
    ddb.on(PutCommand).callsFake((input: { Item: { pk: string } }) => {
      if (input.Item.pk.startsWith('TRIGGER#')) {
        if (locks.has(input.Item.pk))
          throw Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' });
        locks.add(input.Item.pk);
      }
      if (failNext && !input.Item.pk) {
        failNext = false;
        throw new Error('network');
      }
      return {};
    });
    ddb
      .on(TransactWriteCommand)
      .callsFake((input: { TransactItems: { Put?: { Item: { pk?: string } } }[] }) => {
        const lock = input.TransactItems.find((i) => i.Put?.Item.pk?.startsWith('TRIGGER#'))?.Put?.Item.pk;
        if (lock) lockTaken(lock);
        if (failNext) {
          failNext = false;
          throw new Error('network');
        }
        if (lock) locks.add(lock);
        return {};
      });
  });

  it('is written with its lock, count and outbox entry in one transaction', async () => {
    await triggerInvitation(survey, contact, 15);
    const [write] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems ?? []);
    const parts = (write ?? []).map((item) => {
      const detail = item.Put ?? item.Update;
      return `${item.Put ? 'Put' : 'Update'} ${detail?.TableName} ${String((item.Put?.Item as { pk?: string } | undefined)?.pk ?? '').split('#')[0]}`;
    });
    expect(parts).toEqual([
      'Put system TRIGGER',
      'Put invitations ',
      'Update surveys ',
      'Put system TRIGGERED',
    ]);
  });

  it('can be asked again after a failure half-way, and is not then "already invited"', async () => {
    failNext = true;
    await expect(triggerInvitation(survey, contact, 15)).rejects.toThrow('network');
    const retried = await triggerInvitation(survey, contact, 15);
    expect(retried).toMatchObject({ invitationId: expect.stringMatching(/^i_/) });
    // And the throttle still holds for a third trigger.
    expect(await triggerInvitation(survey, contact, 15)).toEqual({
      skipped: 'already invited within the throttle window',
    });
  });
});
