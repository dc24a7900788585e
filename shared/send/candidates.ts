/**
 * Candidates of a fixed-count sample: every eligible contact of a wave, keyed by its sample rank, so
 * that a query in key order returns the lowest ranks first. Deterministic keys make a redone page
 * harmless; the items expire by TTL a while after the wave.
 */
import { BatchWriteCommand, DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { sampleRank } from '../audience/sample.ts';
import { dynamo } from '../aws/clients.ts';
import { nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import { backOff } from '../retry.ts';
import type { Wave } from '../wave/schema.ts';

const keepDays = 30;

/** The rank as a fixed-width, sortable string. */
const rankKey = (wave: Wave, contactId: string): string =>
  `${Math.floor(sampleRank(wave.sampleSeed ?? wave.id, contactId) * 2 ** 48)
    .toString(16)
    .padStart(12, '0')}#${contactId}`;

export async function putCandidates(wave: Wave, contacts: Contact[]): Promise<void> {
  const expiresAt = Math.floor(nowMs() / 1000) + keepDays * 86_400;
  for (let i = 0; i < contacts.length; i += 25) {
    let requests = contacts.slice(i, i + 25).map((contact) => ({
      PutRequest: {
        Item: {
          pk: `SAMPLE#${wave.id}`,
          sk: rankKey(wave, contact.id),
          contact: {
            id: contact.id,
            email: contact.email,
            properties: contact.properties ?? {},
            status: contact.status,
            ...(contact.locale !== undefined && { locale: contact.locale }),
            ...(contact.timezone !== undefined && { timezone: contact.timezone }),
          },
          expiresAt,
        },
      },
    }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error('could not write sample candidates (DynamoDB kept them unprocessed)');
      const result = await dynamo().send(
        new BatchWriteCommand({ RequestItems: { [tableName('system')]: requests } }),
      );
      requests = (result.UnprocessedItems?.[tableName('system')] ?? []) as typeof requests;
      if (requests.length) await backOff(attempt, 25, 1000);
    }
  }
}

export async function candidatePage(
  waveId: string,
  cursor: string | undefined,
  limit: number,
): Promise<{ contacts: Contact[]; next?: string }> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName('system'),
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': `SAMPLE#${waveId}` },
      ExclusiveStartKey: cursor ? JSON.parse(cursor) : undefined,
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return {
    contacts: (page.Items ?? []).map((item) => item.contact as Contact),
    ...(page.LastEvaluatedKey && { next: JSON.stringify(page.LastEvaluatedKey) }),
  };
}

/** Forgets one contact's candidacy (erasure): its key is fixed by the wave's seed and its id. */
export async function deleteCandidate(wave: Wave, contactId: string): Promise<void> {
  await dynamo().send(
    new DeleteCommand({
      TableName: tableName('system'),
      Key: { pk: `SAMPLE#${wave.id}`, sk: rankKey(wave, contactId) },
    }),
  );
}
