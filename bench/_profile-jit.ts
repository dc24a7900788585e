import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbLocalJar } from '../local/dynamodb.ts';
import { freePort } from '../local/ports.ts';
import { timedPool } from './lib/load.ts';

const { jar, libraryPath } = await dynamoDbLocalJar();
async function start(flags: string[]) {
  const port = await freePort();
  const child = spawn('java', [...flags, `-Djava.library.path=${libraryPath}`, '-jar', jar, '-sharedDb', '-disableTelemetry', '-inMemory', '-port', String(port)], { stdio: 'ignore' });
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 20 });
  for (;;) { try { await client.send(new CreateTableCommand({ TableName: 'x', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' })); break; } catch { await new Promise((r) => setTimeout(r, 200)); } }
  const cpu = () => { const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
  return { client, cpu, child };
}
const variants = { c1: await start(['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC']), c2: await start(['-XX:+UseSerialGC']) };
const N = 2000;
for (let rep = 0; rep < 4; rep++) for (const [name, v] of Object.entries(variants)) {
  const keys = Array.from({ length: N }, (_, i) => `k${i}`);
  const j0 = v.cpu(); const t0 = performance.now();
  await timedPool(keys, 16, async (id) => { await v.client.send(new UpdateItemCommand({ TableName: 'x', Key: { id: { S: id } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } })); });
  console.error(`rep ${rep} ${name} ${(N / ((performance.now() - t0) / 1000)).toFixed(0)}/s java ${((v.cpu() - j0) / N).toFixed(2)} ms/op`);
}
for (const v of Object.values(variants)) { v.client.destroy(); v.child.kill(); }
process.exit(0);
