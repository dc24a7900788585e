/**
 * Starts ONE local stack for the whole integration run (free ports, in-memory DynamoDB Local, a
 * temporary data folder) and hands its addresses to the tests through `provide`; test files read
 * them with `inject` (see helpers.ts). The stack runs in Vitest's main process; its log goes to
 * `.test-data/integration-stack-<pid>.log` while the run lasts, then to
 * `.test-data/integration-stack.log` (and to stderr with NPSWAVE_TEST_LOG=1).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../../local/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The gateway, e.g. http://127.0.0.1:41234. */
    url: string;
    adminKey: string;
    /** aws-ses-v2-local: `GET /store` lists every email. */
    sesUrl: string;
    dynamoUrl: string;
    /** The Scheduler and Lambda stand-ins (AWS_ENDPOINT_URL_SCHEDULER / _LAMBDA of the handlers). */
    controlUrl: string;
  }
}

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logDir = join(repoRoot, '.test-data');
  mkdirSync(logDir, { recursive: true });
  // Per run, so that two runs at once (two terminals, an editor) do not write into each other's log.
  const logFile = join(logDir, `integration-stack-${process.pid}.log`);
  writeFileSync(logFile, '');
  const log = (line: string) => {
    appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
    if (process.env.NPSWAVE_TEST_LOG === '1') process.stderr.write(`[npswave] ${line}\n`);
  };

  const dataDir = await mkdtemp(join(tmpdir(), 'npswave-integration-'));
  const stack = await startLocalStack({ dataDir, port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, log });
  project.provide('url', stack.url);
  project.provide('adminKey', stack.adminKey);
  project.provide('sesUrl', stack.sesUrl);
  project.provide('dynamoUrl', stack.dynamoUrl);
  project.provide('controlUrl', stack.controlUrl);

  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rename(logFile, join(logDir, 'integration-stack.log'));
  };
}
