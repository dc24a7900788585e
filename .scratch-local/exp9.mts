import { spawn } from 'node:child_process';
import { DynamoDBClient, PutItemCommand, ListTablesCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbLocalJar } from '../local/dynamodb.ts';
const { jar, libraryPath } = await dynamoDbLocalJar();
for (const flags of [[], ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'], [], ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC']]) {
  const p = spawn('java', [...flags, `-Djava.library.path=${libraryPath}`, '-jar', jar, '-sharedDb', '-disableTelemetry', '-inMemory', '-port', '8125'], { stdio: 'ignore' });
  const c = new DynamoDBClient({ endpoint: 'http://127.0.0.1:8125', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  const t0 = Date.now();
  for (;;) { try { await c.send(new ListTablesCommand({})); break; } catch { await new Promise(r => setTimeout(r, 50)); } }
  const up = Date.now() - t0;
  await c.send(new CreateTableCommand({ TableName: 'ttt', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }));
  const t1 = Date.now();
  for (let i = 0; i < 1500; i++) await c.send(new PutItemCommand({ TableName: 'ttt', Item: { k: { S: 'k' + i }, v: { S: 'x'.repeat(200) } } }));
  const t2 = Date.now();
  for (let i = 0; i < 1500; i++) await c.send(new PutItemCommand({ TableName: 'ttt', Item: { k: { S: 'k' + i }, v: { S: 'y'.repeat(200) } } }));
  console.log(flags.join(' ') || 'default', 'up', up, 'ms; first 1500', Math.round(1500000 / (t2 - t1)), '/s; next 1500', Math.round(1500000 / (Date.now() - t2)), '/s');
  p.kill(); await new Promise(r => p.once('exit', r));
}
