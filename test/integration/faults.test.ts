/**
 * The local stack on a bad AWS day (NPSWAVE_FAULTS, local/fault-proxies.ts, local/functions.ts): its
 * DynamoDB raises transaction conflicts and throttles, its SES throttles and loses answers after sending, its
 * Lambda stops a function at its timeout; and what the send path does when the SES account cannot
 * send (the wave stalls with a reason and goes on when it clears), or when the SES stand-in was
 * started plainly (no account to read: the configured rate is used).
 *
 * This file runs its own stack in this worker, so that the test can change the shares while it runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCredentials, localRegion } from '../../local/env.ts';
import { parseFaults } from '../../local/faults.ts';
import { freePort } from '../../local/ports.ts';
import { sesAccount } from '../../local/ses.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { dynamo } from '../../shared/aws/clients.ts';
import { tableName as table } from '../../shared/config.ts';
import { type ChildStack, freePorts, repoRoot, startChildStack } from './setup/child-stack.ts';
import { api, documentClient, type OutboxEmail } from './setup/helpers.ts';

let local: LocalStack;
let dataDir: string;
const logLines: string[] = [];
const originalEnv = { ...process.env };
const faults = parseFaults(JSON.stringify({ seed: 11, timeoutSeconds: { expire: 1 } }));
if (!faults) throw new Error('no faults');
const shares = faults.shares;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The expire function stands in for any function that overruns its timeout: it writes after 1.5 s. */
const handlers = {
  expire: async (event: unknown, _context: Context) => {
    await sleep(1500);
    await dynamo().send(
      new PutCommand({
        TableName: table('system'),
        Item: { pk: 'TIMEOUT-TEST', sk: String((event as { n: number }).n) },
      }),
    );
    return 'finished';
  },
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'npswave-faults-'));
  local = await startLocalStack({
    dataDir,
    port: 0,
    sesPort: 0,
    dynamoPort: 0,
    inMemory: true,
    log: (line) => logLines.push(line),
    faults,
    handlers,
    asyncRetryDelaysMs: [20, 40],
    resumeWavesEveryMs: 0,
  });
}, 120_000);

afterAll(async () => {
  await local?.stop();
  for (const name of Object.keys(process.env)) if (!(name in originalEnv)) delete process.env[name];
  Object.assign(process.env, originalEnv);
  await rm(dataDir, { recursive: true, force: true });
});

const sdk = (endpoint: string | undefined) => ({
  endpoint,
  region: localRegion,
  credentials: fakeCredentials,
  maxAttempts: 1,
});
/** The handlers' own endpoints: through the fault proxies. */
const handlerSes = () => new SESv2Client(sdk(process.env.AWS_ENDPOINT_URL_SESV2));
const handlerDynamo = () => new DynamoDBClient(sdk(process.env.AWS_ENDPOINT_URL_DYNAMODB));
const injected = async () =>
  ((await (await fetch(`${local.url}/_local/faults`)).json()) as { injected: Record<string, number> })
    .injected;

async function outboxTo(to: string): Promise<OutboxEmail[]> {
  const { emails } = (await (await fetch(`${local.sesUrl}/store`)).json()) as { emails: OutboxEmail[] };
  return emails.filter((e) => e.destination.to.includes(to));
}

const email = (to: string) =>
  new SendEmailCommand({
    FromEmailAddress: 'surveys@npswave.local',
    Destination: { ToAddresses: [to] },
    Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'hi' } } } },
  });

describe('SES on a bad day', () => {
  it('throttles at its share: 429 TooManyRequestsException, and nothing is sent', async () => {
    shares.sesThrottles = 1;
    try {
      const to = `throttled-${Date.now()}@faults.test`;
      const error = await handlerSes()
        .send(email(to))
        .catch((err: unknown) => err);
      expect(error).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
      expect(await outboxTo(to)).toHaveLength(0);
    } finally {
      shares.sesThrottles = 0;
    }
  });

  it('loses the answer after sending at its share: an error with no HTTP status, and the email went', async () => {
    shares.sesLostResponses = 1;
    try {
      const to = `lost-${Date.now()}@faults.test`;
      const error = (await handlerSes()
        .send(email(to))
        .catch((err: unknown) => err)) as { $metadata?: { httpStatusCode?: number } };
      expect(error).toBeInstanceOf(Error);
      expect(error.$metadata?.httpStatusCode).toBeUndefined();
      expect(await outboxTo(to)).toHaveLength(1);
    } finally {
      shares.sesLostResponses = 0;
    }
  });
});

describe('DynamoDB on a bad day', () => {
  const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'X' } });
  const set = (pk: string) =>
    new UpdateItemCommand({
      TableName: table('system'),
      Key: key(pk),
      UpdateExpression: 'ADD n :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    });
  const transaction = (...pks: string[]) =>
    new TransactWriteItemsCommand({
      TransactItems: pks.map((pk) => ({
        Update: {
          TableName: table('system'),
          Key: key(pk),
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        },
      })),
    });
  const countOf = async (pk: string) =>
    Number(
      (
        await documentClient(local.dynamoUrl).send(
          new GetCommand({ TableName: table('system'), Key: { pk, sk: 'X' }, ConsistentRead: true }),
        )
      ).Item?.n ?? 0,
    );

  it('refuses writes to an item a transaction holds, applying nothing; our client tries them again', async () => {
    shares.transactionConflicts = 1;
    const held = `HELD-${Date.now()}`;
    const free = `FREE-${Date.now()}`;
    try {
      const client = handlerDynamo();
      await client.send(transaction(held));
      await expect(client.send(set(held))).rejects.toMatchObject({ name: 'TransactionConflictException' });
      const cancelled = await client.send(transaction(free, held)).catch((err: unknown) => err);
      expect(cancelled).toMatchObject({
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      });
      // Nothing of the refused writes was applied; a write elsewhere is not refused.
      expect(await countOf(held)).toBe(1);
      expect(await countOf(free)).toBe(0);
      await client.send(set(free));
      // The handlers' client waits out the transaction and writes once.
      await dynamo().send(
        new UpdateCommand({
          TableName: table('system'),
          Key: { pk: held, sk: 'X' },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
      expect(await countOf(held)).toBe(2);
      expect((await injected()).transactionConflicts).toBeGreaterThanOrEqual(2);
    } finally {
      shares.transactionConflicts = 0;
    }
  });
});

describe('DynamoDB throttling', () => {
  const key = (pk: string) => ({ pk, sk: 'X' });
  const countOf = async (pk: string) =>
    Number(
      (
        await documentClient(local.dynamoUrl).send(
          new GetCommand({ TableName: table('system'), Key: key(pk), ConsistentRead: true }),
        )
      ).Item?.n ?? 0,
    );
  const add = (pk: string) =>
    new UpdateItemCommand({
      TableName: table('system'),
      Key: { pk: { S: pk }, sk: { S: 'X' } },
      UpdateExpression: 'ADD n :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    });

  it('throttles reads and writes at its share, doing nothing; our client waits and tries again', async () => {
    const pk = `THROTTLED-${Date.now()}`;
    const before = (await injected()).dynamoThrottles ?? 0;
    shares.dynamoThrottles = 1;
    try {
      const client = handlerDynamo();
      await expect(client.send(add(pk))).rejects.toMatchObject({
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(
        client.send(
          new GetItemCommand({ TableName: table('system'), Key: { pk: { S: pk }, sk: { S: 'X' } } }),
        ),
      ).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
      expect(await countOf(pk)).toBe(0);
      // At a share the SDK's retries get through, each write applied once, after its back-off.
      shares.dynamoThrottles = 0.3;
      for (let i = 0; i < 10; i++)
        await dynamo().send(
          new UpdateCommand({
            TableName: table('system'),
            Key: key(pk),
            UpdateExpression: 'ADD n :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
      expect(await countOf(pk)).toBe(10);
      expect(((await injected()).dynamoThrottles ?? 0) - before).toBeGreaterThan(2);
    } finally {
      shares.dynamoThrottles = 0;
    }
  });
});

describe('Lambda timeouts', () => {
  it('stops a function at its timeout: an error for the caller, and nothing it does after is done', async () => {
    const lambda = new LambdaClient(sdk(local.controlUrl));
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: 'expire',
        Payload: new TextEncoder().encode(JSON.stringify({ n: 1 })),
      }),
    );
    expect(answer.FunctionError).toBe('Unhandled');
    expect(new TextDecoder().decode(answer.Payload)).toContain('Task timed out after 1.00 seconds');
    await sleep(1000);
    const written = await documentClient(local.dynamoUrl).send(
      new GetCommand({ TableName: table('system'), Key: { pk: 'TIMEOUT-TEST', sk: '1' } }),
    );
    expect(written.Item).toBeUndefined();
  });
});

describe('the faults route', () => {
  it('reports what was injected', async () => {
    const counts = await injected();
    expect(counts.sesThrottles).toBeGreaterThanOrEqual(1);
    expect(counts.sesLostResponses).toBeGreaterThanOrEqual(1);
    expect(Object.keys(counts).sort()).toEqual(
      [
        'dynamoThrottles',
        'invokeDuplicates',
        'invokeErrors',
        'schedulerDuplicates',
        'sesLostResponses',
        'sesThrottles',
        'transactionConflicts',
      ].sort(),
    );
  });
});

interface WaveView {
  status: string;
  counts: Record<string, number>;
  stalled?: { reason: string; since: string };
}

async function waveUntil(
  base: string,
  key: string,
  waveId: string,
  done: (wave: WaveView) => boolean,
  withinMs = 60_000,
): Promise<WaveView> {
  const until = Date.now() + withinMs;
  for (;;) {
    const wave = (await api<WaveView>(`/api/waves/${waveId}`, { baseUrl: base, key })).json;
    if (done(wave)) return wave;
    if (Date.now() > until) throw new Error(`wave ${waveId} never got there: ${JSON.stringify(wave)}`);
    await sleep(300);
  }
}

async function startWave(base: string, key: string, domain: string, n: number): Promise<string> {
  const contacts = Array.from({ length: n }, (_, i) => ({ email: `p${i}@${domain}` }));
  expect((await api('/api/contacts', { baseUrl: base, key, body: { contacts } })).status).toBe(200);
  const survey = await api<{ id: string }>('/api/surveys', {
    baseUrl: base,
    key,
    body: { kind: 'nps', name: domain, audience: { where: [{ field: 'email', endsWith: `@${domain}` }] } },
  });
  await api(`/api/surveys/${survey.json.id}/publish`, { baseUrl: base, key, method: 'POST' });
  const wave = await api<{ waveId: string }>(`/api/surveys/${survey.json.id}/waves`, {
    baseUrl: base,
    key,
    method: 'POST',
  });
  expect(wave.status).toBe(202);
  return wave.json.waveId;
}

describe('an SES account that cannot send', () => {
  it('stalls the wave with the reason, fails nobody, and goes on once sending is back', async () => {
    const account = process.env.AWS_SES_ACCOUNT;
    process.env.AWS_SES_ACCOUNT = JSON.stringify({ ...sesAccount(14), SendingEnabled: false });
    const domain = `paused-${Date.now()}.test`;
    let waveId = '';
    try {
      waveId = await startWave(local.url, local.adminKey, domain, 3);
      const stalled = await waveUntil(local.url, local.adminKey, waveId, (w) => w.stalled !== undefined);
      expect(stalled.status).toBe('sending');
      expect(stalled.stalled?.reason).toContain('paused');
      expect(stalled.counts.failed).toBe(0);
      expect(await outboxTo(`p0@${domain}`)).toHaveLength(0);
    } finally {
      process.env.AWS_SES_ACCOUNT = account;
    }
    // The stalled wave's own schedule tries again (5 minutes on the local clock).
    await fetch(`${local.url}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 301 }),
    });
    const sent = await waveUntil(local.url, local.adminKey, waveId, (w) => w.status === 'open');
    expect(sent.stalled).toBeUndefined();
    expect(sent.counts).toMatchObject({ selected: 3, sent: 3, failed: 0 });
    for (let i = 0; i < 3; i++) expect(await outboxTo(`p${i}@${domain}`)).toHaveLength(1);
  });
});

describe('a wave while DynamoDB throttles half of every request', () => {
  it('emails each contact once and counts each once, throttled runs taken up by later ones', async () => {
    const domain = `throttled-wave-${Date.now()}.test`;
    // At the stack's 14 emails a second, the wave is still sending while the throttling lasts.
    const n = 120;
    const before = (await injected()).dynamoThrottles ?? 0;
    const waveId = await startWave(local.url, local.adminKey, domain, n);
    // Past the SDK's retry quota (each throttle retried costs 5 of its 500, a success gives back 1),
    // throttles reach our code as errors: claims, settles, the fold's transactions, the cursor.
    shares.dynamoThrottles = 0.5;
    try {
      await sleep(6000);
    } finally {
      shares.dynamoThrottles = 0;
    }
    // Few, because each throttled request waits out the SDK's throttling back-off (up to seconds)
    // before it asks again: the run slows to what the table serves.
    expect(((await injected()).dynamoThrottles ?? 0) - before).toBeGreaterThan(2);
    // Whatever stopped mid-way is taken up again by the wave's own schedule (5 minutes on the local
    // clock) or by its claims going stale.
    let wave: WaveView | undefined;
    for (let round = 0; round < 6 && wave?.status !== 'open'; round++) {
      await fetch(`${local.url}/_local/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: 301 }),
      });
      wave = await waveUntil(local.url, local.adminKey, waveId, (w) => w.status === 'open', 15_000).catch(
        () => undefined,
      );
    }
    wave = await waveUntil(
      local.url,
      local.adminKey,
      waveId,
      (w) => w.status === 'open' && w.counts.sent === n,
    );
    expect(wave.counts).toMatchObject({ selected: n, sent: n, failed: 0 });
    for (let i = 0; i < n; i++) expect(await outboxTo(`p${i}@${domain}`)).toHaveLength(1);
  });
});

describe('a plainly started SES stand-in (NPSWAVE_SES_URL, no account to read)', () => {
  let plain: ChildProcess | undefined;
  let child: ChildStack | undefined;
  let childDir: string | undefined;
  afterAll(async () => {
    await child?.stop('SIGTERM');
    plain?.kill('SIGTERM');
    if (childDir) await rm(childDir, { recursive: true, force: true });
  });

  it('sends at NPSWAVE_SES_MAX_SEND_RATE instead of waiting for ever', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const env = { ...process.env };
    delete env.AWS_SES_ACCOUNT;
    plain = spawn(
      process.execPath,
      [join(repoRoot, 'node_modules/aws-ses-v2-local/dist/cli.js'), '--port', String(port)],
      {
        env,
        stdio: 'ignore',
      },
    );
    const sesUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (
        await fetch(`${sesUrl}/store`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 100) throw new Error('the plain SES stand-in did not start');
      await sleep(100);
    }
    childDir = await mkdtemp(join(tmpdir(), 'npswave-plain-ses-'));
    const ports = await freePorts();
    child = await startChildStack({
      ...ports,
      NPSWAVE_DATA_DIR: childDir,
      NPSWAVE_SES_URL: sesUrl,
      NPSWAVE_SES_MAX_SEND_RATE: '5',
      NPSWAVE_DEMO: '0',
      NPSWAVE_ADMIN_KEY: 'npsw_plain_ses_test_key',
    });
    const domain = `plain-${Date.now()}.test`;
    const waveId = await startWave(child.url, 'npsw_plain_ses_test_key', domain, 4);
    const wave = await waveUntil(child.url, 'npsw_plain_ses_test_key', waveId, (w) => w.status === 'open');
    expect(wave.counts).toMatchObject({ selected: 4, sent: 4 });
    const { emails } = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: OutboxEmail[] };
    expect(emails.filter((e) => e.destination.to[0]?.endsWith(`@${domain}`))).toHaveLength(4);
  });
});
