/**
 * NPSWAVE_FAULTS (local/faults.ts): the configuration, replayable draws, and the Lambda stand-in's
 * duplicates and failed attempts (local/lambda.ts).
 */
import { describe, expect, it } from 'vitest';
import { FaultConfigError, Faults, parseFaults } from '../../local/faults.ts';
import type { FunctionRegistry } from '../../local/functions.ts';
import { duplicatingInvoker, LambdaService } from '../../local/lambda.ts';

const config = (shares: Record<string, number>, seed = 1) => {
  const parsed = parseFaults(JSON.stringify({ seed, ...shares }));
  if (!parsed) throw new Error('no config');
  return parsed;
};

describe('NPSWAVE_FAULTS', () => {
  it('is off when unset or empty', () => {
    expect(parseFaults(undefined)).toBeUndefined();
    expect(parseFaults('  ')).toBeUndefined();
  });

  it('reads the shares, the seed and shorter timeouts', () => {
    const parsed = config(
      { invokeDuplicates: 0.3, sesThrottles: 0.1, timeoutSeconds: { send: 5 } } as never,
      7,
    );
    expect(parsed.seed).toBe(7);
    expect(parsed.shares.invokeDuplicates).toBe(0.3);
    expect(parsed.shares.transactionConflicts).toBe(0);
    expect(parsed.timeoutSeconds).toEqual({ send: 5 });
  });

  it('refuses what it cannot honour, with a one-line reason', () => {
    expect(() => parseFaults('{nope')).toThrow(FaultConfigError);
    expect(() => parseFaults('{"invokeDuplicates": 1.5}')).toThrow('share from 0 to 1');
    expect(() => parseFaults('{"sesThrotles": 0.1}')).toThrow('unknown field sesThrotles');
    expect(() => parseFaults('{"seed": 1.5}')).toThrow('integer');
  });

  it('draws the same faults from the same seed, each kind on its own sequence, at about its share', () => {
    const draws = (seed: number, kind: 'sesThrottles' | 'invokeErrors') => {
      const faults = new Faults(config({ sesThrottles: 0.2, invokeErrors: 0.2 }, seed));
      return Array.from({ length: 2000 }, () => faults.roll(kind));
    };
    expect(draws(3, 'sesThrottles')).toEqual(draws(3, 'sesThrottles'));
    expect(draws(3, 'sesThrottles')).not.toEqual(draws(4, 'sesThrottles'));
    expect(draws(3, 'sesThrottles')).not.toEqual(draws(3, 'invokeErrors'));
    const share = draws(3, 'sesThrottles').filter(Boolean).length / 2000;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
  });

  it('counts what it injected', () => {
    const faults = new Faults(config({ sesLostResponses: 1 }));
    faults.roll('sesLostResponses');
    faults.roll('sesLostResponses');
    faults.roll('sesThrottles');
    expect(faults.report().injected).toMatchObject({ sesLostResponses: 2, sesThrottles: 0 });
  });
});

/** A registry that records each invocation of `send` (and fails it while `failing` says so). */
function recorder(failing: () => boolean = () => false) {
  const calls: unknown[] = [];
  const registry = {
    invoke: async (_name: string, event: unknown) => {
      calls.push(event);
      if (failing()) throw new Error('handler failed');
      return 'ok';
    },
  } as unknown as FunctionRegistry;
  return { calls, registry };
}
const quiet = () => {};

describe('the Lambda stand-in under faults', () => {
  it('delivers an asynchronous event twice at the duplicate share', async () => {
    const { calls, registry } = recorder();
    const lambda = new LambdaService(registry, quiet, {
      faults: new Faults(config({ invokeDuplicates: 1 })),
    });
    lambda.invokeAsync('send', { n: 1 });
    await lambda.idle();
    expect(calls).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it('fails attempts at the error share and retries them twice, as Lambda does', async () => {
    const { calls, registry } = recorder();
    const faults = new Faults(config({ invokeErrors: 1 }));
    const lambda = new LambdaService(registry, quiet, { faults, asyncRetryDelaysMs: [1, 1] });
    lambda.invokeAsync('send', { n: 2 });
    await lambda.idle();
    // Three attempts, all failed: some before the handler ran, some after it had done its work.
    expect(faults.report().injected.invokeErrors).toBe(3);
    expect(calls.length).toBeLessThanOrEqual(3);
  });

  it('retries a handler that failed on its own, without faults', async () => {
    let failures = 1;
    const { calls, registry } = recorder(() => failures-- > 0);
    const lambda = new LambdaService(registry, quiet, { asyncRetryDelaysMs: [1, 1] });
    lambda.invokeAsync('send', {});
    await lambda.idle();
    expect(calls).toHaveLength(2);
  });

  it('fires a schedule twice at the scheduler duplicate share', async () => {
    const { calls, registry } = recorder();
    const invoker = duplicatingInvoker(registry, new Faults(config({ schedulerDuplicates: 1 })), quiet);
    await invoker.invoke('send', { at: 'x' });
    expect(calls).toEqual([{ at: 'x' }, { at: 'x' }]);
  });
});
