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
