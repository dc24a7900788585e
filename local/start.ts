/**
 * `npm start`: the whole product on this machine, in the foreground, until Ctrl-C (SIGINT) or
 * SIGTERM. Configuration comes from NPSWAVE_* variables (see shared/docs/CONTRACT.md); problems the
 * user can fix are reported in one line with a non-zero exit.
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedDemo } from './demo.ts';
import { StartupError } from './errors.ts';
import { watchLauncher } from './launcher-watch.ts';
import { describeError, stderrLog } from './log.ts';
import { type LocalStack, startLocalStack } from './stack.ts';

// SDK releases after January 2027 need Node 22; until then its warning is noise on the console.
// Set before the first SDK client exists (imports build none).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

function portFrom(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StartupError(`${variable} must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  }
  return port;
}

function sendRateFrom(variable: string): number | undefined {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return undefined;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate <= 0) throw new StartupError(`${variable} must be a positive number`);
  return rate;
}

const print = (line: string) => process.stdout.write(`${line}\n`);

function printUrls(stack: LocalStack): void {
  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel !== '' && !rel.startsWith('..') ? rel : path;
  };
  print(`  gateway     ${stack.url}`);
  print(`  dashboard   ${stack.url}/admin`);
  print(`  outbox      ${stack.sesUrl}/   (every email the stack sends)`);
  print(`  dynamodb    ${stack.dynamoUrl}`);
  print(`  data        ${shown(stack.dataDir)}`);
  if (stack.adminKeyFile === undefined) {
    print('  admin key   from NPSWAVE_ADMIN_KEY');
  } else {
    const note = stack.adminKeyGenerated ? 'generated now; kept in' : 'kept in';
    print(`  admin key   ${stack.adminKey}   (${note} ${shown(stack.adminKeyFile)})`);
  }
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env.NPSWAVE_DATA_DIR || resolve(repoRoot, '.npswave'));
  const stack = await startLocalStack({
    dataDir,
    port: portFrom('NPSWAVE_PORT', 3000),
    sesPort: portFrom('NPSWAVE_SES_PORT', 8005),
    dynamoPort: portFrom('NPSWAVE_DYNAMODB_PORT', 8000),
    adminKey: process.env.NPSWAVE_ADMIN_KEY || undefined,
    sesUrl: process.env.NPSWAVE_SES_URL || undefined,
    sesMaxSendRate: sendRateFrom('NPSWAVE_SES_MAX_SEND_RATE'),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      stderrLog(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    stderrLog(`${signal}: stopping`);
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        stderrLog(`stopping failed: ${describeError(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  watchLauncher(() => shutdown('launcher gone'));

  print(`npswave ready in ${(performance.now() / 1000).toFixed(1)} s`);
  printUrls(stack);

  if (stack.firstStart && process.env.NPSWAVE_DEMO !== '0') {
    await seedDemo(stack, print, (line) => process.stderr.write(`${line}\n`));
  }
}

// A handler's stray promise must not take the whole stack down; it is logged instead.
process.on('unhandledRejection', (reason) => {
  stderrLog(`unhandled rejection: ${describeError(reason)}`);
});

main().catch((err: unknown) => {
  if (err instanceof StartupError) {
    process.stderr.write(`npswave: ${err.message}\n`);
  } else {
    process.stderr.write(`npswave: failed to start: ${describeError(err)}\n`);
  }
  process.exit(1);
});
