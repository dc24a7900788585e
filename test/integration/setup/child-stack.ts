/**
 * Runs `local/start.ts` (what `npm start` runs) in a child process, for tests of start-up, shutdown
 * and restarts. Each child gets free ports and its own data folder through NPSWAVE_* variables.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../local/ports.ts';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface ChildRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node --import tsx local/start.ts` with the given environment (added to this process's,
 * minus NPSWAVE_*). One process, so a signal reaches the stack itself; the `tsx` command would put
 * a relaying parent in between, which SIGKILLs its child when the child acknowledges a signal late
 * (30 ms), as happens on a busy machine.
 */
export function runStart(env: Record<string, string>, options: { path?: string } = {}): ChildRun {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NPSWAVE_')));
  const childEnv: NodeJS.ProcessEnv = { ...base, ...env };
  if (options.path !== undefined) childEnv.PATH = options.path;
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

export interface ChildStack extends ChildRun {
  url: string;
  sesUrl: string;
  dynamoUrl: string;
  /** The admin key line of the output: the key, or "from NPSWAVE_ADMIN_KEY". */
  adminKeyLine: string;
  /** Milliseconds from spawn to the ready line. */
  readyMs: number;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface PortSet {
  NPSWAVE_PORT: string;
  NPSWAVE_SES_PORT: string;
  NPSWAVE_DYNAMODB_PORT: string;
}

export async function freePorts(): Promise<PortSet> {
  return {
    NPSWAVE_PORT: String(await freePort()),
    NPSWAVE_SES_PORT: String(await freePort()),
    NPSWAVE_DYNAMODB_PORT: String(await freePort()),
  };
}

/** Starts a stack and resolves once it printed its ready line and URLs (rejects on exit or timeout). */
export async function startChildStack(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildStack> {
  const started = Date.now();
  const run = runStart(env);
  const stopped = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(signal);
    return run.exited;
  };
  let readyMs = -1;
  const deadline = started + timeoutMs;
  for (;;) {
    const out = run.stdout();
    if (readyMs < 0 && out.includes('npswave ready')) readyMs = Date.now() - started;
    if (readyMs >= 0 && /admin key {3}.+\n/.test(out)) break;
    if (run.child.exitCode !== null) {
      throw new Error(`start exited with ${run.child.exitCode}: ${run.stderr().trim().split('\n').at(-1)}`);
    }
    if (Date.now() > deadline) {
      await stopped('SIGKILL');
      throw new Error(`no ready line within ${timeoutMs} ms; output: ${out} ${run.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const field = (label: string) =>
    new RegExp(`^ {2}${label} +(\\S.*)$`, 'm').exec(run.stdout())?.[1]?.trim() ?? '';
  return {
    ...run,
    url: field('gateway'),
    sesUrl: field('outbox').split(/\s/)[0]?.replace(/\/$/, '') ?? '',
    dynamoUrl: field('dynamodb'),
    adminKeyLine: field('admin key'),
    readyMs,
    stop: stopped,
  };
}
