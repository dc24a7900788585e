import { DynamoDBClient, PutItemCommand, DescribeTableCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { startDynamoDbLocal } from '../local/dynamodb.ts';
import { ensureTables } from '../local/dynamodb-tables.ts';
import { fakeCredentials } from '../local/env.ts';
const t0 = Date.now();
const db = await startDynamoDbLocal({ port: 8123, dbPath: '/tmp/npsx/db', inMemory: process.argv[2] === 'mem' });
console.log('started in', Date.now() - t0);
const c = new DynamoDBClient({ endpoint: db.url, region: 'us-east-1', credentials: fakeCredentials });
console.log('created', await ensureTables(c), Date.now() - t0);
const d = await c.send(new DescribeTableCommand({ TableName: 'npswave-invitations' }));
console.log(d.Table?.LatestStreamArn, d.Table?.StreamSpecification);
for (let i = 0; i < 3; i++) await c.send(new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 't' + i }, n: { N: String(i) } } }));
await c.send(new UpdateItemCommand({ TableName: 'npswave-invitations', Key: { token: { S: 't0' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '9' } } }));
const s = new DynamoDBStreamsClient({ endpoint: db.url, region: 'us-east-1', credentials: fakeCredentials });
const ds = await s.send(new DescribeStreamCommand({ StreamArn: d.Table!.LatestStreamArn! }));
console.log(JSON.stringify(ds.StreamDescription, null, 1));
for (const sh of ds.StreamDescription!.Shards!) {
  const it = await s.send(new GetShardIteratorCommand({ StreamArn: d.Table!.LatestStreamArn!, ShardId: sh.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
  let iter = it.ShardIterator;
  for (let k = 0; k < 3 && iter; k++) {
    const r = await s.send(new GetRecordsCommand({ ShardIterator: iter, Limit: 2 }));
    console.log(k, JSON.stringify(r.Records?.map(x => ({ id: x.eventID, n: x.eventName, seq: x.dynamodb?.SequenceNumber, keys: x.dynamodb?.Keys, t: x.dynamodb?.ApproximateCreationDateTime, size: x.dynamodb?.SizeBytes, src: x.eventSource, v: x.eventVersion, reg: x.awsRegion }))), !!r.NextShardIterator);
    iter = r.NextShardIterator;
  }
}
await db.stop();
console.log('stopped', Date.now() - t0);
