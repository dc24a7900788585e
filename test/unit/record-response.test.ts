import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { gone } from '../../shared/errors.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { recordResponse, recordResponseOnce } from '../../shared/response/record.ts';

process.env.INVITATIONS_TABLE = 'invitations';
const ddb = mockClient(DynamoDBDocumentClient);

const invitation = (over: Partial<Invitation> = {}): Invitation => ({
  token: 's_aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb',
  surveyId: 's_aaaaaaaaaaaaaaaa',
  waveId: 'w_aaaaaaaaaaaaaaaa',
  contactId: 'c_1',
  kind: 'nps',
  scale: { min: 0, max: 10 },
  status: 'sent',
  createdAt: '2026-11-01T00:00:00.000Z',
  closesAt: '2099-01-01T00:00:00.000Z',
  ...over,
});

const refused = (item: Invitation | undefined) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: item as never,
  });

describe('recording an answer', () => {
  beforeEach(() => ddb.reset());

  it('is one conditional update carrying every rule', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { ...invitation(), score: 9, responseVersion: 1 } });
    const saved = await recordResponse(invitation().token, { score: 9, comment: 'Great' });
    expect(saved.segment).toBe('promoter');
    const calls = ddb.commandCalls(UpdateCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.ConditionExpression).toContain('closesAt > :now');
    expect(input?.ConditionExpression).toContain(':score BETWEEN #scale.#min AND #scale.#max');
    expect(input?.ConditionExpression).toContain('responseHash <> :hash');
    expect(input?.UpdateExpression).toContain('ADD responseVersion :one');
    expect(input?.ExpressionAttributeValues?.[':comment']).toBe('Great');
  });

  it('explains a refusal from the old item: unknown, closed, off the scale', async () => {
    ddb.on(UpdateCommand).rejects(refused(undefined));
    await expect(recordResponse('t', { score: 9 })).rejects.toMatchObject({ status: 404 });
    ddb.on(UpdateCommand).rejects(refused(invitation({ closesAt: '2000-01-01T00:00:00.000Z' })));
    await expect(recordResponse('t', { score: 9 })).rejects.toMatchObject({ status: 410 });
    ddb.on(UpdateCommand).rejects(refused(invitation({ status: 'expired' })));
    await expect(recordResponse('t', { score: 9 })).rejects.toMatchObject({ status: 410 });
    ddb.on(UpdateCommand).rejects(refused(invitation({ kind: 'csat', scale: { min: 1, max: 5 } })));
    await expect(recordResponse('t', { score: 9 })).rejects.toMatchObject({ status: 400 });
    ddb.on(UpdateCommand).rejects(refused(invitation({ status: 'queued' })));
    await expect(recordResponse('t', { score: 9 })).rejects.toMatchObject({ status: 404 });
  });

  it('refuses the answers of a closed wave with its own error, even the same answer again', async () => {
    const closedWave = { id: 'w_link', error: gone('this survey has closed') };
    ddb.on(UpdateCommand).resolves({ Attributes: { ...invitation(), score: 9, responseVersion: 1 } });
    await recordResponse('t', { score: 9 }, { closedWave });
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toContain('waveId <> :closedWave');
    expect(input?.ExpressionAttributeValues?.[':closedWave']).toBe('w_link');

    const answered = invitation({ waveId: 'w_link', score: 9, status: 'responded' });
    ddb.on(UpdateCommand).rejects(refused(answered));
    await expect(recordResponseOnce('t', { score: 9 }, { closedWave })).rejects.toBe(closedWave.error);
    // Another wave's invitation refused for another reason is explained as before.
    ddb.on(UpdateCommand).rejects(refused(invitation({ closesAt: '2000-01-01T00:00:00.000Z' })));
    await expect(recordResponse('t', { score: 9 }, { closedWave })).rejects.toMatchObject({ status: 410 });
    ddb.on(UpdateCommand).rejects(refused(invitation({ status: 'queued' })));
    await expect(recordResponse('t', { score: 9 }, { closedWave })).rejects.toMatchObject({ status: 404 });
  });

  it('treats the same answer posted again as already recorded, not as a new one', async () => {
    ddb.on(UpdateCommand).resolvesOnce({ Attributes: { ...invitation(), score: 7, responseVersion: 1 } });
    const first = await recordResponseOnce(invitation().token, { score: 7 });
    const hash = ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':hash'];
    ddb
      .on(UpdateCommand)
      .rejects(refused({ ...invitation(), score: 7, responseVersion: 1, responseHash: hash as string }));
    const again = await recordResponseOnce(invitation().token, { score: 7 });
    expect(again.responseVersion).toBe(first.responseVersion);
    expect(again.segment).toBe('passive');
  });

  it('unlinks the contact from an anonymous survey’s answer: the sealed id, else a random one', async () => {
    ddb
      .on(UpdateCommand)
      .resolves({ Attributes: { ...invitation({ anonymous: true }), score: 8, responseVersion: 1 } });
    await recordResponse(invitation().token, { score: 8 }, { anonymous: true });
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    // Still one write: the sealed id was made with the invitation, so no read of the wave's secret.
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(input?.UpdateExpression).toContain('contactId = if_not_exists(sealedContactId, :anon)');
    expect(String(input?.ExpressionAttributeValues?.[':anon'])).toMatch(/^anon_[0-9a-f]{20}$/);
  });
});
