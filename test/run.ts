/**
 * `npm test`'s vitest run, as three processes at once. The integration files that share one local
 * stack and its clock run one after another, and vitest puts every project that runs its files one
 * at a time in a group after all the others: on these 2-core machines the whole run was one file at
 * a time, ~22 minutes. The integration files with stacks of their own (the chaos year, the crash
 * stacks, the demo) run two at a time in a second vitest; unit, infrastructure and browser tests in
 * a third. Each line is prefixed with the run it came from; the exit code is the first failure's, or 0.
 * Arguments go to every run (e.g. `-t "a name"`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const runs = [
  { label: 'integration', projects: ['integration'], args: [] },
  // Two at once: the chaos year is mostly waiting (back-offs, the SDK's retries), beside it the
  // crash and throttling stacks and the demo.
  { label: 'stacks', projects: ['stacks'], args: ['--maxWorkers=2'] },
  { label: 'others', projects: ['unit', 'infra', 'e2e'], args: [] },
];

const children: ChildProcess[] = [];
const width = Math.max(...runs.map((r) => r.label.length));

function start(label: string, projects: string[], runArgs: string[]): Promise<number> {
  const args = [
    'vitest',
    'run',
    '--passWithNoTests',
    ...projects.flatMap((p) => ['--project', p]),
    ...runArgs,
    ...process.argv.slice(2),
  ];
  // Its own process group, so that a stop takes its stacks (DynamoDB Local's JVM) with it.
  const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  const prefix = `[${label.padEnd(width)}] `;
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (stream) createInterface({ input: stream }).on('line', (line) => out.write(`${prefix}${line}\n`));
  }
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (err) => {
      process.stderr.write(`${prefix}could not start vitest: ${err.message}\n`);
      resolve(1);
    });
  });
}

function stopAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAll(signal);
    process.exitCode = 130;
  });
}

const began = Date.now();
const codes = await Promise.all(runs.map((r) => start(r.label, r.projects, r.args)));
const seconds = ((Date.now() - began) / 1000).toFixed(1);
const failed = runs.filter((_, i) => codes[i] !== 0).map((r) => r.label);
console.log(
  failed.length
    ? `test: ${failed.join(' and ')} failed (${seconds} s)`
    : `test: ${runs.map((r) => r.label).join(', ')} passed (${seconds} s)`,
);
process.exitCode = codes.find((code) => code !== 0) ?? 0;
