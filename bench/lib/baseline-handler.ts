/**
 * The baseline of bench/bundle.bench.ts: the smallest useful DynamoDB handler, one client at module
 * scope and one GetItem per call. What the respond bundle carries beyond this is ours to answer for.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async (event: { token?: string }) => {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: process.env.INVITATIONS_TABLE,
      Key: { token: { S: event.token ?? '' } },
    }),
  );
  return { statusCode: Item ? 200 : 404 };
};
