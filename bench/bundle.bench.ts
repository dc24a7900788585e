/**
 * The respond function's bundle against a baseline: a handler that only sends one GetItem with the
 * DynamoDB client (bench/lib/baseline-handler.ts). Both are built by esbuild with the settings of
 * infra/function.ts, so the respond bundle here is byte for byte the one `cdk synth` makes. Figures:
 * the minified size ratio, and the cold import time ratio: each bundle imported once by a fresh node
 * process, alternating, median of each. Beyond the runtime's own start, loading and evaluating the
 * bundle is what a cold start adds, and the import time is that.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bundleSettings, repoRoot } from '../infra/function.ts';
import { tableEnvVar, tableIds } from '../shared/tables.ts';
import { atMost, type Figure, info, median, progress, round } from './lib/figure.ts';

const imports = 15;

type Side = 'respond' | 'baseline';
const entries: Record<Side, string> = {
  respond: join(repoRoot, 'functions', 'respond', 'handler.ts'),
  baseline: join(repoRoot, 'bench', 'lib', 'baseline-handler.ts'),
};

/** Builds one entry as NodejsFunction does, into `<dir>/index.mjs` as there; answers that path. */
async function bundle(entry: string, dir: string): Promise<string> {
  await mkdir(dir);
  const outfile = join(dir, 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    absWorkingDir: repoRoot,
    bundle: true,
    // NodejsFunction always builds for node; the rest is what it is told in infra/function.ts.
    platform: 'node',
    format: bundleSettings.format,
    target: bundleSettings.target,
    mainFields: bundleSettings.mainFields,
    minify: bundleSettings.minify,
    sourcemap: bundleSettings.sourceMap,
    sourcesContent: bundleSettings.sourcesContent,
    banner: { js: bundleSettings.banner },
    external: bundleSettings.externalModules,
    logLevel: 'warning',
  });
  return outfile;
}

/** Runs in the child: the import alone, without node's own start-up. */
const probe =
  'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';

/**
 * What the handlers find at import on AWS, and nothing from this process (the bench stack's
 * endpoints, tsx's loader). The variable silencing the SDK's Node 20 notice is the one local/start.ts
 * and vitest.config.ts set; both sides get it.
 */
const childEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...Object.fromEntries(tableIds.map((id) => [tableEnvVar(id), `npswave-${id}`])),
};

/** Milliseconds a fresh node process takes to import the bundle. */
function coldImportMs(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', probe, pathToFileURL(file).href], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(out);
      if (code === 0 && out !== '' && Number.isFinite(ms)) resolve(ms);
      else reject(new Error(`importing ${file} exited with ${code}: ${err.slice(0, 500)}`));
    });
  });
}

export async function run(): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'npswave-bundle-'));
  try {
    const files: Record<Side, string> = {
      respond: await bundle(entries.respond, join(dir, 'respond')),
      baseline: await bundle(entries.baseline, join(dir, 'baseline')),
    };
    const bytes = { respond: (await stat(files.respond)).size, baseline: (await stat(files.baseline)).size };
    progress(`bundle: respond ${bytes.respond} bytes, baseline ${bytes.baseline} bytes`);

    // Warm-up: the files into the page cache, node's own code cache primed, for both alike.
    await coldImportMs(files.respond);
    await coldImportMs(files.baseline);
    const ms: Record<Side, number[]> = { respond: [], baseline: [] };
    for (let n = 0; n < imports; n++) {
      // Alternate the order so that neither side always runs on the warmer (or quieter) machine.
      const order: Side[] = n % 2 === 0 ? ['respond', 'baseline'] : ['baseline', 'respond'];
      for (const side of order) ms[side].push(await coldImportMs(files[side]));
    }
    const respondMs = median(ms.respond);
    const baselineMs = median(ms.baseline);
    progress(
      `bundle: cold import medians: respond ${respondMs.toFixed(1)} ms, baseline ${baselineMs.toFixed(1)} ms`,
    );

    return [
      atMost('bundle.respond_size_ratio', round(bytes.respond / bytes.baseline), 'ratio', 1.25),
      info('bundle.respond_bytes', bytes.respond, 'bytes'),
      info('bundle.baseline_bytes', bytes.baseline, 'bytes'),
      atMost('bundle.respond_cold_import_ratio', round(respondMs / baselineMs), 'ratio', 1.3),
      info('bundle.respond_cold_import_ms', round(respondMs, 1), 'ms'),
      info('bundle.baseline_cold_import_ms', round(baselineMs, 1), 'ms'),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
