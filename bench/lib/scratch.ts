/**
 * The baselines: bare UpdateItem calls on a scratch table of the same DynamoDB Local. A plain table
 * has a key and nothing else; a table shaped like one of ours (`like`) has its key schema, indexes
 * and stream too, and its items carry every index key, so each update also writes the index entry
 * and the stream record, as an answer does.
 */
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../local/dynamodb-tables.ts';
import { fakeCredentials, localRegion } from '../../local/env.ts';
import { quietLogger } from '../../shared/aws/clients.ts';
import type { KeyAttribute, TableDefinition } from '../../shared/tables.ts';
import { timedPool } from './load.ts';

export interface ScratchTable {
  /** `count` updates (`ADD n :one`, one item each) at `concurrency`: answers updates per second. */
  updateRate(count: number, concurrency: number): Promise<number>;
  /** One such update of item `i` (for baselines that mix several writes per unit of work). */
  update(i: number): Promise<void>;
  /**
   * The same update of item `i` as a transaction's action, conditioned on `n` being what the
   * `writes`-th update leaves it at (the item exists, for `writes` 0), as a claim is.
   */
  updateAction(i: number, writes: number): TransactWriteItem;
  /** One `TransactWriteItems` of the given actions (of this table or another of the same DynamoDB). */
  transact(actions: TransactWriteItem[]): Promise<void>;
  drop(): Promise<void>;
}

const plainKey: KeyAttribute = { name: 'id', type: 'S' };

const keyValue = (attribute: KeyAttribute, i: number): AttributeValue =>
  attribute.type === 'N' ? { N: String(i) } : { S: `${attribute.name}-${i}` };

/**
 * A scratch table: plain, or with the key schema, indexes and stream of `like`. Items of a shaped
 * table are put before the first timed update, with every key attribute, so that they are in its
 * indexes (a plain table's items are made by the first update).
 */
export async function createScratchTable(
  dynamoUrl: string,
  options: { like?: TableDefinition; items?: number } = {},
): Promise<ScratchTable> {
  const client = new DynamoDBClient({
    endpoint: dynamoUrl,
    region: localRegion,
    credentials: fakeCredentials,
    // As the functions' client (shared/aws/clients.ts): the baseline pays no more per request than they do.
    logger: quietLogger,
  });
  const name = `bench-scratch-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const { like } = options;
  const keyAttributes = like ? [like.partitionKey, ...(like.sortKey ? [like.sortKey] : [])] : [plainKey];
  const keyOf = (i: number): Record<string, AttributeValue> =>
    Object.fromEntries(keyAttributes.map((a) => [a.name, keyValue(a, i)]));
  if (like) {
    await client.send(new CreateTableCommand({ ...createTableInput(like), TableName: name }));
    const items = Array.from({ length: options.items ?? 0 }, (_, i) => i);
    await timedPool(items, 16, async (i) => {
      const item: Record<string, AttributeValue> = keyOf(i);
      // As in a wave: every item under one index partition (one wave), each with its own sort key.
      for (const index of like.indexes) {
        item[index.partitionKey.name] ??= keyValue(index.partitionKey, 0);
        if (index.sortKey) item[index.sortKey.name] ??= keyValue(index.sortKey, i);
      }
      await client.send(new PutItemCommand({ TableName: name, Item: item }));
    });
  } else {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: plainKey.name, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: plainKey.name, AttributeType: plainKey.type }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  const update = async (i: number): Promise<void> => {
    await client.send(
      new UpdateItemCommand({
        TableName: name,
        Key: keyOf(i),
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
  };
  return {
    update,
    updateAction: (i, writes) => ({
      Update: {
        TableName: name,
        Key: keyOf(i),
        UpdateExpression: 'ADD n :one',
        ConditionExpression: writes === 0 ? 'attribute_exists(#key)' : 'n = :writes',
        ...(writes === 0 && { ExpressionAttributeNames: { '#key': keyAttributes[0]?.name ?? 'id' } }),
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ...(writes > 0 && { ':writes': { N: String(writes) } }),
        },
      },
    }),
    async transact(actions) {
      await client.send(new TransactWriteItemsCommand({ TransactItems: actions }));
    },
    async updateRate(count, concurrency) {
      const keys = Array.from({ length: count }, (_, i) => i);
      const ms = await timedPool(keys, concurrency, update);
      return count / (ms / 1000);
    },
    async drop() {
      await client.send(new DeleteTableCommand({ TableName: name }));
      client.destroy();
    },
  };
}
