import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../shared/send/pacer.ts';

describe('token bucket', () => {
  it('never lets more than rate × seconds (+ burst) through', async () => {
    const bucket = new TokenBucket(50, 5);
    const start = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, () => bucket.take().then(() => times.push(performance.now() - start))),
    );
    // 40 takes at 50/s with a first token at once: at least (40 − 1) / 50 s = 780 ms.
    expect(Math.max(...times)).toBeGreaterThanOrEqual(760);
    // In any 200 ms window, at most 50 × 0.2 + burst = 15.
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 200).length).toBeLessThanOrEqual(15);
  });

  it('after drain, the next take waits', async () => {
    const bucket = new TokenBucket(20, 1);
    await bucket.take();
    bucket.drain();
    const start = performance.now();
    await bucket.take();
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });
});
