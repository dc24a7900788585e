import { readFileSync, readdirSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb.ts';
import { freePort } from '../local/ports.ts';
import { timedPool } from './lib/load.ts';

const port = await freePort();
const db = await startDynamoDbLocal({ port, dbPath: '', inMemory: true });
const javaPid = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).find((p) => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`-port\0${port}\0`); } catch { return false; } });
const javaCpu = () => { const f = readFileSync(`/proc/${javaPid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const raw = new DynamoDBClient({ endpoint: db.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const doc = DynamoDBDocumentClient.from(raw);
const gsi = (type: 'ALL' | 'KEYS_ONLY') => [
  { IndexName: 'byWave', KeySchema: [{ AttributeName: 'waveId', KeyType: 'HASH' as const }, { AttributeName: 'contactId', KeyType: 'RANGE' as const }], Projection: { ProjectionType: type } },
  { IndexName: 'byContact', KeySchema: [{ AttributeName: 'contactId', KeyType: 'HASH' as const }, { AttributeName: 'createdAt', KeyType: 'RANGE' as const }], Projection: { ProjectionType: type } },
];
const variants: Record<string, Partial<CreateTableCommandInput>> = {
  plain: {},
  stream: { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } },
  gsiKeysOnly: { GlobalSecondaryIndexes: gsi('KEYS_ONLY') },
  gsiAll: { GlobalSecondaryIndexes: gsi('ALL') },
  gsiAllStream: { GlobalSecondaryIndexes: gsi('ALL'), StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } },
};
const N = 600;
for (const [name, extra] of Object.entries(variants)) {
  await raw.send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'token', KeyType: 'HASH' }], AttributeDefinitions: (extra.GlobalSecondaryIndexes ? ['token', 'waveId', 'contactId', 'createdAt'] : ['token']).map((a) => ({ AttributeName: a, AttributeType: 'S' as const })), BillingMode: 'PAY_PER_REQUEST', ...extra }));
  const keys = Array.from({ length: N }, (_, i) => `t${i}`);
  await timedPool(keys, 16, async (token, i) => { await doc.send(new PutCommand({ TableName: name, Item: { token, waveId: `w${i % 3}`, contactId: `c${i}`, createdAt: '2026-01-01', status: 'sent', closesAt: '2999', scale: { min: 0, max: 10 } } })); });
}
for (let rep = 0; rep < 3; rep++) for (const name of Object.keys(variants)) {
  const keys = Array.from({ length: N }, (_, i) => `t${i}`);
  const j0 = javaCpu(); const t0 = performance.now();
  await timedPool(keys, 16, async (token, i) => {
    await doc.send(new UpdateCommand({ TableName: name, Key: { token }, UpdateExpression: 'SET score = :s, #c = :c, respondedAt = :now, h = :h ADD v :one',
      ConditionExpression: 'attribute_exists(#t) AND closesAt > :now AND :s BETWEEN #scale.#min AND #scale.#max AND (attribute_not_exists(h) OR h <> :h)',
      ExpressionAttributeNames: { '#t': 'token', '#c': 'comment', '#scale': 'scale', '#min': 'min', '#max': 'max' },
      ExpressionAttributeValues: { ':s': (i + rep) % 11, ':c': `comment ${rep} ${i}`, ':now': new Date().toISOString(), ':h': `h${rep}`, ':one': 1 }, ReturnValues: 'ALL_NEW' }));
  });
  const ms = performance.now() - t0;
  console.error(`${name.padEnd(13)} ${(N / (ms / 1000)).toFixed(0).padStart(5)}/s  java ${((javaCpu() - j0) / N).toFixed(2)} ms/op`);
}
raw.destroy(); await db.stop(); process.exit(0);
