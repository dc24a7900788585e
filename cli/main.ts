/**
 * The entry of the `npswave` command-line tool (run by cli/npswave.js): runs the command, and turns
 * any failure into one line on stderr and a non-zero exit code.
 */
import { runCli } from './dispatch.ts';
import { CliError, exitCodes, oneLine } from './errors.ts';
import { clearProgress } from './progress.ts';

// `npswave responses export ID | head` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(exitCodes.ok);
  throw err;
});

try {
  process.exitCode = await runCli(process.argv.slice(2), process.env);
} catch (err) {
  clearProgress();
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`npswave: ${oneLine(message)}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : exitCodes.failure;
}
