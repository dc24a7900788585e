/**
 * A data folder made by an earlier version keeps working: its invitations table, made without the
 * answersBySurvey and byWaveKeys indexes, gets them on the next start (and loses the byWave copy
 * byWaveKeys replaced), built from the answers already there,
 * and the comment feed's query finds them newest first (real DynamoDB Local).
 */
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createTableInput, ensureIndexes } from '../../local/dynamodb-tables.ts';
import { tableDefinitions } from '../../shared/tables.ts';
import { documentClient, dynamoClient } from './setup/helpers.ts';

const table = `upgrade-invitations-${Date.now()}`;
const client = dynamoClient();
const docs = documentClient();

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: table })).catch(() => {});
});

describe('a table made before an index existed', () => {
  it('gets the index, filled from its items, before the stack serves a request', async () => {
    const definition = tableDefinitions.invitations;
    // As an earlier version made it: byWave (a full copy), no answersBySurvey, no byWaveKeys.
    const older = { ...definition, indexes: definition.retiredIndexes ?? [], retiredIndexes: [] };
    await client.send(new CreateTableCommand({ ...createTableInput(older), TableName: table }));
    const base = {
      surveyId: 's_upgrade',
      waveId: 'w_1',
      kind: 'nps',
      scale: { min: 0, max: 10 },
      status: 'responded',
    };
    await docs.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...base,
          token: 't1',
          contactId: 'c_1',
          score: 9,
          comment: 'older',
          respondedAt: '2026-01-01T00:00:00.000Z',
        },
      }),
    );
    await docs.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...base,
          token: 't2',
          contactId: 'c_2',
          score: 3,
          comment: 'newer',
          respondedAt: '2026-02-01T00:00:00.000Z',
        },
      }),
    );
    await docs.send(
      new PutCommand({ TableName: table, Item: { ...base, token: 't3', contactId: 'c_3', status: 'sent' } }),
    );

    expect(await ensureIndexes(client, table, definition)).toEqual(['byWaveKeys', 'answersBySurvey']);
    expect(await ensureIndexes(client, table, definition)).toEqual([]);
    // The index they replaced is on its way out (deleted in the background, as on AWS): still
    // DELETING, or already gone when DynamoDB Local was quick about it.
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const indexes = (Table?.GlobalSecondaryIndexes ?? [])
      .map((i) => `${i.IndexName}:${i.IndexStatus}`)
      .sort();
    expect(indexes.filter((i) => !i.startsWith('byWave:'))).toEqual([
      'answersBySurvey:ACTIVE',
      'byWaveKeys:ACTIVE',
    ]);
    expect(indexes.filter((i) => i.startsWith('byWave:') && i !== 'byWave:DELETING')).toEqual([]);
    const keys = await docs.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byWaveKeys',
        KeyConditionExpression: 'waveId = :w',
        ExpressionAttributeValues: { ':w': 'w_1' },
      }),
    );
    // Every invitation of the wave, by contact, and nothing but keys.
    expect(keys.Items).toEqual([
      { token: 't1', waveId: 'w_1', contactId: 'c_1' },
      { token: 't2', waveId: 'w_1', contactId: 'c_2' },
      { token: 't3', waveId: 'w_1', contactId: 'c_3' },
    ]);

    const page = await docs.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'answersBySurvey',
        KeyConditionExpression: 'surveyId = :s',
        ExpressionAttributeValues: { ':s': 's_upgrade' },
        ScanIndexForward: false,
      }),
    );
    // Only answered invitations are in it (t3 has no respondedAt), newest first, with what the feed shows.
    expect(page.Items?.map((i) => i.comment)).toEqual(['newer', 'older']);
    expect(page.Items?.[0]).toMatchObject({ score: 3, waveId: 'w_1', contactId: 'c_2', kind: 'nps' });
    expect(page.Items?.[0]).not.toHaveProperty('status');
  });
});
