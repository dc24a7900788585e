/**
 * `npm start`: the whole product on this machine, in the foreground, until Ctrl-C (SIGINT) or
 * SIGTERM. Configuration comes from NPSWAVE_* variables (see shared/docs/CONTRACT.md); problems the
 * user can fix are reported in one line with a non-zero exit.
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockOffset } from '../shared/clock.ts';
import { demoCalendar } from './demo/calendar.ts';
import { seedDemo } from './demo/seed.ts';
import { StartupError } from './errors.ts';
import { type FaultConfig, FaultConfigError, parseFaults } from './faults.ts';
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

function faultsFrom(variable: string): FaultConfig | undefined {
  try {
    return parseFaults(process.env[variable]);
  } catch (err) {
    if (err instanceof FaultConfigError) throw new StartupError(err.message);
    throw err;
  }
}

const print = (line: string) => process.stdout.write(`${line}\n`);

function printUrls(stack: LocalStack): void {
  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel !== '' && !rel.startsWith('..') ? rel : path;
  };
  print(`  gateway     ${stack.url}`);
  print(`  dashboard   ${stack.url}/admin   (sign in with the admin key below)`);
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
  // Decided before the stack starts: on a first start, the demo's history begins about a year ago.
  const demo = process.env.NPSWAVE_DEMO === '0' ? undefined : demoCalendar(new Date());
  const stack = await startLocalStack({
    dataDir,
    port: portFrom('NPSWAVE_PORT', 3000),
    sesPort: portFrom('NPSWAVE_SES_PORT', 8005),
    dynamoPort: portFrom('NPSWAVE_DYNAMODB_PORT', 8000),
    adminKey: process.env.NPSWAVE_ADMIN_KEY || undefined,
    sesUrl: process.env.NPSWAVE_SES_URL || undefined,
    sesMaxSendRate: sendRateFrom('NPSWAVE_SES_MAX_SEND_RATE'),
    faults: faultsFrom('NPSWAVE_FAULTS'),
    ...(demo && { clockStartsAt: demo.clockStartsAt }),
  });

  let stopping = false;
  let stoppingSince = 0;
  const shutdown = (signal: string) => {
    if (stopping) {
      // One Ctrl-C arrives twice under `npm start`: from the terminal, and passed on by npm.
      if (performance.now() - stoppingSince < 1_000) return;
      stderrLog(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    stoppingSince = performance.now();
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

  // A demo seeding that was interrupted left the clock behind the real time: live through the rest
  // of that time now (its reminders and expiries run), so that what the user does next is dated today.
  if (!stack.firstStart && clockOffset() < -60_000) {
    const days = (-clockOffset() / 86_400_000).toFixed(1);
    await fetch(`${stack.url}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: Math.ceil(-clockOffset() / 1000) }),
    });
    print(`clock: ${days} days behind the real time (an interrupted demo seeding); caught up to now`);
  }

  if (stack.firstStart && demo) {
    // A Ctrl-C during the seeding stops it too: that is no failure worth a warning.
    await seedDemo(stack, demo, print, (line) => {
      if (!stopping) process.stderr.write(`${line}\n`);
    });
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
