/**
 * A start-up problem the user can fix (no Java, a busy port). `npm start` prints its message as one
 * line and exits non-zero; tests calling startLocalStack get it as an ordinary rejection.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
