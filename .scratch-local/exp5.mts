import { startLocalStack } from '../local/stack.ts';
const t0 = performance.now();
const stamp = () => ((performance.now() - t0) / 1000).toFixed(2);
const stack = await startLocalStack({ dataDir: '/tmp/npsx/d3', port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, log: (l) => console.log(stamp(), l),
  handlers: { score: async (e: any) => { console.log(stamp(), 'score got', e.Records.length, e.Records.map((r: any) => r.dynamodb.SequenceNumber).join(',')); } } });
console.log('ready', stamp());
const { DynamoDBClient, PutItemCommand } = await import('@aws-sdk/client-dynamodb');
const c = new DynamoDBClient({});
for (let i = 0; i < 5; i++) { await c.send(new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 'x' + i } } })); }
await new Promise((r) => setTimeout(r, 3000));
for (let i = 0; i < 3; i++) { await c.send(new PutItemCommand({ TableName: 'npswave-invitations', Item: { token: { S: 'y' + i } } })); }
await new Promise((r) => setTimeout(r, 3000));
await stack.stop();
