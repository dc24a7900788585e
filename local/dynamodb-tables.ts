/**
 * Creates the tables of shared/tables.ts in DynamoDB Local when they are absent, with their
 * indexes, streams and TTL, so that the local tables are the ones the CDK stack declares.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type KeyAttribute, type TableDefinition, tableDefinitions } from '../shared/tables.ts';
import { localTableName } from './env.ts';

export async function existingTables(client: DynamoDBClient): Promise<Set<string>> {
  const names = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) names.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}

/** Creates every missing table; answers the ids of the tables it created. */
export async function ensureTables(client: DynamoDBClient): Promise<string[]> {
  const existing = await existingTables(client);
  const created: string[] = [];
  for (const definition of Object.values(tableDefinitions)) {
    const name = localTableName(definition.id);
    if (!existing.has(name)) {
      await client.send(new CreateTableCommand(createTableInput(definition)));
      created.push(definition.id);
    } else {
      await ensureIndexes(client, name, definition);
    }
    if (definition.ttlAttribute) await ensureTtl(client, name, definition.ttlAttribute);
  }
  return created;
}

export function createTableInput(definition: TableDefinition): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttribute>();
  const keyOf = (partition: KeyAttribute, sort?: KeyAttribute): KeySchemaElement[] => {
    attributes.set(partition.name, partition);
    const schema: KeySchemaElement[] = [{ AttributeName: partition.name, KeyType: 'HASH' }];
    if (sort) {
      attributes.set(sort.name, sort);
      schema.push({ AttributeName: sort.name, KeyType: 'RANGE' });
    }
    return schema;
  };
  const input: CreateTableCommandInput = {
    TableName: localTableName(definition.id),
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keyOf(definition.partitionKey, definition.sortKey),
  };
  if (definition.indexes.length > 0) {
    input.GlobalSecondaryIndexes = definition.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: keyOf(index.partitionKey, index.sortKey),
      Projection: {
        ProjectionType: index.projection,
        ...(index.nonKeyAttributes !== undefined && { NonKeyAttributes: index.nonKeyAttributes }),
      },
    }));
  }
  if (definition.stream) {
    input.StreamSpecification = { StreamEnabled: true, StreamViewType: definition.stream };
  }
  input.AttributeDefinitions = [...attributes.values()].map(
    (a): AttributeDefinition => ({ AttributeName: a.name, AttributeType: a.type }),
  );
  return input;
}

/**
 * Adds the indexes a newer version declares to a table made by an older one (a data folder kept
 * across upgrades), as a CDK deployment would; DynamoDB backfills them from the existing items.
 * Then deletes the indexes they replaced (`retiredIndexes`).
 */
export async function ensureIndexes(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition,
  timeoutMs = 60_000,
): Promise<string[]> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const full = createTableInput(definition);
  const added: string[] = [];
  for (const index of full.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    const keyNames = new Set((index.KeySchema ?? []).map((k) => k.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: (full.AttributeDefinitions ?? []).filter((a) => keyNames.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    added.push(index.IndexName as string);
  }
  // Queries on an index still being built fail: the stack serves nothing until the new ones are up.
  const until = Date.now() + timeoutMs;
  for (const name of added) {
    for (;;) {
      const { Table: now } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const status = now?.GlobalSecondaryIndexes?.find((i) => i.IndexName === name)?.IndexStatus;
      if (status === 'ACTIVE') break;
      if (Date.now() > until)
        throw new Error(`index ${name} of ${tableName} is still ${status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // What replaced them is up: the retired ones go, so that no write pays for a copy nothing reads.
  const deleting = new Set(
    (Table?.GlobalSecondaryIndexes ?? []).filter((i) => i.IndexStatus === 'DELETING').map((i) => i.IndexName),
  );
  const retired = (definition.retiredIndexes ?? []).filter(
    (index) => present.has(index.name) && !deleting.has(index.name),
  );
  for (const index of retired) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.name } }],
      }),
    );
  }
  return added;
}

async function ensureTtl(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: attribute },
    }),
  );
}
