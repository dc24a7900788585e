/**
 * How we run DynamoDB Local (local/dynamodb.ts): its stream records get the index by stream it lacks
 * (local/StreamRecordsIndex.java), on a database that goes with the process and on a data folder; a
 * database that goes with the process is a file on tmpfs, removed on stop and left nowhere even when
 * the process that started it is killed; a data folder keeps its tables across starts.
 */
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../local/dynamodb.ts';
import { fakeCredentials, localRegion } from '../../local/env.ts';
import { freePort } from '../../local/ports.ts';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function gone(path: string, withinMs: number): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until; ) {
    if (!(await exists(path))) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return !(await exists(path));
}

const client = (url: string) =>
  new DynamoDBClient({ endpoint: url, region: localRegion, credentials: fakeCredentials });

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

describe('DynamoDB Local as we run it', () => {
  it('keeps a database that goes with the process on tmpfs, and removes it on stop', async () => {
    const db = await startDynamoDbLocal({ port: await freePort(), dbPath: '', inMemory: true });
    try {
      expect(db.dbPath.startsWith((await exists('/dev/shm')) ? '/dev/shm/' : tmpdir())).toBe(true);
      expect(await exists(join(db.dbPath, 'shared-local-instance.db'))).toBe(true);
      expect(db.streamRecordsIndex).toBe('indexed');
      expect((await client(db.url).send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      await db.stop();
    }
    expect(await exists(db.dbPath)).toBe(false);
  });

  it('keeps a data folder and its tables across starts', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'npswave-dynamodb-test-'));
    folders.push(folder);
    const first = await startDynamoDbLocal({ port: await freePort(), dbPath: folder, inMemory: false });
    try {
      expect(first.streamRecordsIndex).toBe('indexed');
      await client(first.url).send(
        new CreateTableCommand({
          TableName: 'kept',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        }),
      );
    } finally {
      await first.stop();
    }
    const second = await startDynamoDbLocal({ port: await freePort(), dbPath: folder, inMemory: false });
    try {
      // Made once: the second start finds it there.
      expect(second.streamRecordsIndex).toBe('indexed');
      expect((await client(second.url).send(new ListTablesCommand({}))).TableNames).toEqual(['kept']);
    } finally {
      await second.stop();
    }
    expect(await exists(join(folder, 'shared-local-instance.db'))).toBe(true);
  });

  it('leaves no database behind when the process that started it is killed', async () => {
    const port = await freePort();
    const program = `
      import { startDynamoDbLocal } from ${JSON.stringify(new URL('../../local/dynamodb.ts', import.meta.url).href)};
      const db = await startDynamoDbLocal({ port: ${port}, dbPath: '', inMemory: true });
      process.stdout.write(db.dbPath + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const dbPath = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before starting`)));
    });
    expect(await exists(join(dbPath, 'shared-local-instance.db'))).toBe(true);
    child.kill('SIGKILL');
    // The watchdog stops Java, waits for it to go, then removes the folder.
    expect(await gone(dbPath, 20_000)).toBe(true);
    // And the port is free again for the next start.
    const next = await startDynamoDbLocal({ port, dbPath: '', inMemory: true });
    await next.stop();
  }, 60_000);
});
