/**
 * The errors the tool reports: each becomes one line `npswave: <message>` on stderr and an exit code.
 */
export const exitCodes = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.failure,
  ) {
    super(oneLine(message));
  }
}

/** A mistake in the command line itself: unknown command or flag, missing argument (exit 2). */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, exitCodes.usage);
  }
}

/** Collapses whitespace so that a message from anywhere fits the one-line error format. */
export function oneLine(text: string, max = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
