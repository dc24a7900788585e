import { DynamoDBClient, PutItemCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { startDynamoDbLocal } from '../local/dynamodb.ts';
import { ensureTables } from '../local/dynamodb-tables.ts';
import { fakeCredentials } from '../local/env.ts';
const db = await startDynamoDbLocal({ port: 8123, dbPath: '', inMemory: true });
const c = new DynamoDBClient({ endpoint: db.url, region: 'us-east-1', credentials: fakeCredentials });
await ensureTables(c);
const d = await c.send(new DescribeTableCommand({ TableName: 'npswave-invitations' }));
const arn = d.Table!.LatestStreamArn!;
const s = new DynamoDBStreamsClient({ endpoint: db.url, region: 'us-east-1', credentials: fakeCredentials });
for (let i = 0; i < 3; i++) await c.send(new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 't' + i } } }));
const ds = await s.send(new DescribeStreamCommand({ StreamArn: arn }));
const shard = ds.StreamDescription!.Shards![0]!.ShardId!;
for (let i = 0; i < 5; i++) await c.send(new PutItemCommand({ TableName: 'npswave-contacts', Item: { id: { S: 'c' + i } } }));
for (let i = 0; i < 2; i++) await c.send(new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 'u' + i } } }));
for (const seq of ['000000000000000000003', '000000000000000000002']) {
  const it = (await s.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: seq }))).ShardIterator;
  try { const r = await s.send(new GetRecordsCommand({ ShardIterator: it })); console.log('after', seq, r.Records?.map(x => x.dynamodb?.SequenceNumber).join(',')); } catch (e) { console.log('after', seq, 'failed', (e as Error).name); }
}
await db.stop();
