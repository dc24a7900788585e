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
const ds = await s.send(new DescribeStreamCommand({ StreamArn: arn }));
const shard = ds.StreamDescription!.Shards![0]!.ShardId!;
let iter = (await s.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
try { const r = await s.send(new GetRecordsCommand({ ShardIterator: iter })); console.log('empty read ok', r.Records?.length, !!r.NextShardIterator); iter = r.NextShardIterator; } catch (e) { console.log('empty read', (e as Error).name, (e as Error).message); }
await c.send(new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 'a' } } }));
try { const r = await s.send(new GetRecordsCommand({ ShardIterator: iter })); console.log('after put', r.Records?.length, !!r.NextShardIterator); iter = r.NextShardIterator; } catch (e) { console.log('after put', (e as Error).name); }
try { const r = await s.send(new GetRecordsCommand({ ShardIterator: iter })); console.log('again', r.Records?.length, !!r.NextShardIterator); } catch (e) { console.log('again', (e as Error).name); }
await db.stop();
