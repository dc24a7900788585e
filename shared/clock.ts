/**
 * The one source of "now". On AWS it is the system clock. The local stack moves it forward
 * (POST /_local/clock) so that tests can live through weeks of schedules in seconds.
 */
let offsetMs = 0;

export const nowMs = (): number => Date.now() + offsetMs;
export const now = (): Date => new Date(nowMs());
export const nowIso = (): string => now().toISOString();

export function advanceClock(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
  offsetMs += ms;
}

export function setClockOffset(ms: number): void {
  offsetMs = ms;
}

export const clockOffset = (): number => offsetMs;
