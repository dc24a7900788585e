/** How the local stack reports what it does: one line per event, on stderr unless told otherwise. */
export type Log = (line: string) => void;

export const stderrLog: Log = (line) => {
  process.stderr.write(`[npswave] ${line}\n`);
};

export const silentLog: Log = () => {};

/** A short description of a thrown value, for one log line; never the stack trace of a client error. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Logs a failure with its stack trace (the local stack's log is for the developer; clients never see it). */
export function logFailure(log: Log, context: string, err: unknown): void {
  const trace = err instanceof Error && err.stack ? `\n${err.stack.split('\n').slice(1).join('\n')}` : '';
  log(`${context}: ${describeError(err)}${trace}`);
}
