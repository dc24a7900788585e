/** The baseline: bare UpdateItem calls on a scratch table of the same DynamoDB Local. */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { fakeCredentials, localRegion } from '../../local/env.ts';
import { timedPool } from './load.ts';

export interface ScratchTable {
  /** `count` updates (`ADD n :one`, one item each) at `concurrency`: answers updates per second. */
  updateRate(count: number, concurrency: number): Promise<number>;
  drop(): Promise<void>;
}

export async function createScratchTable(dynamoUrl: string): Promise<ScratchTable> {
  const client = new DynamoDBClient({
    endpoint: dynamoUrl,
    region: localRegion,
    credentials: fakeCredentials,
  });
  const name = `bench-scratch-${Date.now().toString(36)}`;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    async updateRate(count, concurrency) {
      const keys = Array.from({ length: count }, (_, i) => `k${i}`);
      const ms = await timedPool(keys, concurrency, async (id) => {
        await client.send(
          new UpdateItemCommand({
            TableName: name,
            Key: { id: { S: id } },
            UpdateExpression: 'ADD n :one',
            ExpressionAttributeValues: { ':one': { N: '1' } },
          }),
        );
      });
      return count / (ms / 1000);
    },
    async drop() {
      await client.send(new DeleteTableCommand({ TableName: name }));
      client.destroy();
    },
  };
}
