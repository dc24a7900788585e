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
const mode = process.argv[2];
for (let i = 0; i < 5; i++) await c.send(new PutItemCommand({ TableName: 'npswave-contacts', Item: { id: { S: 'c' + i } } }));
const ds = await s.send(new DescribeStreamCommand({ StreamArn: arn }));
const shard = ds.StreamDescription!.Shards![0]!.ShardId!;
console.log(JSON.stringify(ds.StreamDescription!.Shards));
let iter = (await s.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
console.log(Buffer.from(iter!.split('|')[2]!, 'base64').toString());
if (mode === 'early') { const r = await s.send(new GetRecordsCommand({ ShardIterator: iter })); console.log('early', r.Records?.length); iter = r.NextShardIterator; console.log(Buffer.from(iter!.split('|')[2]!, 'base64').toString()); }
for (let i = 0; i < 3; i++) await c.send(new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 't' + i } } }));
try { const r = await s.send(new GetRecordsCommand({ ShardIterator: iter })); console.log('read', r.Records?.map(x => x.dynamodb?.SequenceNumber)); } catch (e) { console.log('read failed', (e as Error).name); }
const iter2 = (await s.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
console.log(Buffer.from(iter2!.split('|')[2]!, 'base64').toString());
try { const r = await s.send(new GetRecordsCommand({ ShardIterator: iter2 })); console.log('read2', r.Records?.map(x => x.dynamodb?.SequenceNumber)); } catch (e) { console.log('read2 failed', (e as Error).name); }
await db.stop();
