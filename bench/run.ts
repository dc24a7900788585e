/**
 * Runs the benchmarks: `npm run bench` runs every `bench/<name>.bench.ts`, `npm run bench -- NAME`
 * one. Each figure is one JSON line on stdout; progress goes to stderr. A missed goal is reported,
 * not fatal; a benchmark that throws makes the exit code 1 (the others still run).
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Figure, progress } from './lib/figure.ts';
import { recentStackLog, stopBenchStack } from './lib/stack.ts';

// As at npm start: the SDK's notice about Node 20 would be printed once per stack start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const suffix = '.bench.ts';

async function benchNames(): Promise<string[]> {
  return (await readdir(benchDir))
    .filter((file) => file.endsWith(suffix))
    .map((file) => file.slice(0, -suffix.length))
    .sort();
}

async function runOne(name: string): Promise<boolean> {
  const module = (await import(new URL(`./${name}${suffix}`, import.meta.url).href)) as {
    run?: () => Promise<Figure[]>;
  };
  if (typeof module.run !== 'function') throw new Error(`bench/${name}${suffix} exports no run()`);
  const started = performance.now();
  progress(`${name}: running`);
  const figures = await module.run();
  for (const { name: figure, value, unit, goal, pass } of figures) {
    process.stdout.write(`${JSON.stringify({ name: figure, value, unit, goal, pass })}\n`);
  }
  progress(`${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return figures.every((f) => f.pass);
}

async function main(): Promise<number> {
  const all = await benchNames();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length) {
    progress(`unknown benchmark(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
    return 2;
  }
  let crashed = false;
  try {
    for (const name of wanted.length ? wanted : all) {
      try {
        const met = await runOne(name);
        if (!met) progress(`${name}: a goal was missed (reported above, not an error)`);
      } catch (err) {
        crashed = true;
        progress(`${name}: crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        for (const line of recentStackLog()) progress(`  stack log: ${line}`);
      }
    }
  } finally {
    await stopWithin(stopDeadlineMs);
  }
  return crashed ? 1 : 0;
}

/**
 * The stack stops once its running work has (a wave's send run, a selection): after a crash that may
 * be many minutes of work nobody will measure, beside the next run. Past the deadline the process
 * exits anyway; DynamoDB Local's watchdog stops Java when we are gone.
 */
const stopDeadlineMs = 60_000;

async function stopWithin(ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([stopBenchStack().then(() => 'stopped' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'late') progress(`the bench stack did not stop within ${ms / 1000} s; exiting without it`);
}

// Exit explicitly: a stray keep-alive socket must not keep a finished run alive.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    progress(`bench runner failed: ${String(err)}`);
    process.exit(1);
  },
);
