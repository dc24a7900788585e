/**
 * Erasure (GDPR): the contact's personal data goes from contacts, invitations and responses; the
 * anonymous counts in the aggregates stay, since they never held anything personal.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { notFound } from '../errors.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import { getContact } from './store.ts';

export async function eraseContact(id: string): Promise<void> {
  const contact = await getContact(id);
  if (!contact) throw notFound(`contact ${id} not found`);
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('invitations'),
        IndexName: 'byContact',
        KeyConditionExpression: 'contactId = :c',
        ExpressionAttributeValues: { ':c': id },
        ProjectionExpression: '#token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExclusiveStartKey: start,
      }),
    );
    await mapConcurrent(page.Items ?? [], 8, (item) =>
      dynamo().send(
        new UpdateCommand({
          TableName: tableName('invitations'),
          Key: { token: item.token },
          // The score stays counted (countedScore/countedVersion); who gave it and what they wrote go.
          UpdateExpression: 'REMOVE contactId, #comment, locale, reportProps SET erased = :true',
          ExpressionAttributeNames: { '#comment': 'comment' },
          ExpressionAttributeValues: { ':true': true },
        }),
      ),
    );
    start = page.LastEvaluatedKey;
  } while (start);
  await dynamo().send(new DeleteCommand({ TableName: tableName('contacts'), Key: { id } }));
}
