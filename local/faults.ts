/**
 * NPSWAVE_FAULTS: the local stack on a bad AWS day (CONTRACT.md). Each kind of fault is injected at
 * its share from its own seeded random sequence, so a failing run can be replayed with the same
 * seed, and every injection is counted for `GET /_local/faults`. What each fault imitates is in
 * STACK.md, "What AWS does that the local stand-ins did not".
 */
import type { FunctionName } from '../shared/routes.ts';

export const faultKinds = [
  'schedulerDuplicates',
  'invokeDuplicates',
  'invokeErrors',
  'transactionConflicts',
  'sesThrottles',
  'sesLostResponses',
  // Last: each kind's sequence is seeded from its place in this list, so a new kind goes at the end.
  'dynamoThrottles',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FaultConfig {
  seed: number;
  shares: Record<FaultKind, number>;
  /**
   * Lambda timeouts shorter than the deployed ones (seconds per function), so that a test sees a
   * function stopped mid-work without waiting five minutes. Not a fault AWS injects: the timeout is
   * enforced either way; this only moves it.
   */
  timeoutSeconds: Partial<Record<FunctionName, number>>;
}

export class FaultConfigError extends Error {
  override name = 'FaultConfigError';
}

/** Reads NPSWAVE_FAULTS; undefined when unset or empty. Bad JSON or a share outside 0..1 is an error. */
export function parseFaults(raw: string | undefined): FaultConfig | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new FaultConfigError('NPSWAVE_FAULTS is not JSON, e.g. {"seed": 1, "invokeDuplicates": 0.3}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FaultConfigError('NPSWAVE_FAULTS must be a JSON object');
  const input = value as Record<string, unknown>;
  const known = new Set<string>(['seed', 'timeoutSeconds', ...faultKinds]);
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length)
    throw new FaultConfigError(
      `NPSWAVE_FAULTS: unknown field ${unknown.join(', ')}; known: ${[...known].join(', ')}`,
    );
  const seed = input.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isInteger(seed))
    throw new FaultConfigError('NPSWAVE_FAULTS.seed must be an integer');
  const shares = {} as Record<FaultKind, number>;
  for (const kind of faultKinds) {
    const share = input[kind] ?? 0;
    if (typeof share !== 'number' || !(share >= 0 && share <= 1))
      throw new FaultConfigError(`NPSWAVE_FAULTS.${kind} must be a share from 0 to 1`);
    shares[kind] = share;
  }
  const timeouts = input.timeoutSeconds ?? {};
  if (typeof timeouts !== 'object' || timeouts === null || Array.isArray(timeouts))
    throw new FaultConfigError('NPSWAVE_FAULTS.timeoutSeconds must map function names to seconds');
  for (const [fn, seconds] of Object.entries(timeouts)) {
    if (typeof seconds !== 'number' || !(seconds > 0))
      throw new FaultConfigError(`NPSWAVE_FAULTS.timeoutSeconds.${fn} must be a positive number`);
  }
  return { seed, shares, timeoutSeconds: timeouts as FaultConfig['timeoutSeconds'] };
}

/** mulberry32: a small, fast, seedable generator (not for secrets; for replayable faults). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Decides, kind by kind, whether this occasion gets a fault; counts what it injected. */
export class Faults {
  private readonly random: Record<FaultKind, () => number>;
  readonly injected: Record<FaultKind, number>;

  constructor(readonly config: FaultConfig) {
    this.random = {} as Record<FaultKind, () => number>;
    this.injected = {} as Record<FaultKind, number>;
    faultKinds.forEach((kind, i) => {
      // One sequence per kind: adding a fault of one kind does not shift the others' draws.
      this.random[kind] = generator(config.seed * 7919 + i * 104_729);
      this.injected[kind] = 0;
    });
  }

  /** True when a fault of this kind happens now (and it is counted). */
  roll(kind: FaultKind): boolean {
    const share = this.config.shares[kind];
    if (share <= 0) return false;
    const hit = this.random[kind]() < share;
    if (hit) this.injected[kind] += 1;
    return hit;
  }

  /** A draw in [0, 1) from a kind's sequence, for how a fault plays out (e.g. a delay). */
  draw(kind: FaultKind): number {
    return this.random[kind]();
  }

  timeoutSeconds(fn: FunctionName): number | undefined {
    return this.config.timeoutSeconds[fn];
  }

  report(): { injected: Record<FaultKind, number> } {
    return { injected: { ...this.injected } };
  }
}
