/**
 * A send run's in-flight count (shared/send/in-flight.ts) and the concurrent map that follows it as
 * it moves (shared/send/concurrency.ts).
 */
import { describe, expect, it } from 'vitest';
import { mapConcurrent } from '../../shared/send/concurrency.ts';
import { InFlightLimit } from '../../shared/send/in-flight.ts';

/** Tells the limit `n` round trips of `ms` each; returns the limit after. */
const feed = (limit: InFlightLimit, n: number, ms: number | (() => number)): number => {
  for (let i = 0; i < n; i++) limit.observe(typeof ms === 'number' ? ms : ms());
  return limit.current;
};

describe('the in-flight count of a send run', () => {
  it('starts at its floor and climbs to its ceiling while the round trips stay fast', () => {
    const limit = new InFlightLimit(16, 128);
    expect(limit.current).toBe(16);
    const seen = [limit.current];
    for (let i = 0; i < 40; i++) seen.push(feed(limit, limit.current, 8));
    expect(seen.at(-1)).toBe(128);
    // Step by step, never a jump past the ceiling.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number);
    expect(Math.max(...seen)).toBe(128);
  });

  it('cuts back when the round trips take more than twice the fastest, never below its floor', () => {
    const limit = new InFlightLimit(16, 128);
    for (let i = 0; i < 40; i++) feed(limit, limit.current, 8);
    expect(limit.current).toBe(128);
    // A queue builds: 8 ms became 60 ms.
    expect(feed(limit, 128, 60)).toBe(96);
    expect(feed(limit, 96, 60)).toBe(72);
    for (let i = 0; i < 20; i++) feed(limit, 128, 60);
    expect(limit.current).toBe(16);
    // Round trips near the fastest again: it climbs.
    expect(feed(limit, 16, 12)).toBeGreaterThan(16);
  });

  it('judges a window by its median, not by one slow answer', () => {
    const limit = new InFlightLimit(16, 128);
    feed(limit, 16, 8);
    const before = limit.current;
    let i = 0;
    // One in eight answers is slow (a retry): the median is still fast, so it keeps climbing.
    feed(limit, before, () => (i++ % 8 === 0 ? 500 : 8));
    expect(limit.current).toBeGreaterThan(before);
  });

  it('stays where it is when its floor is its ceiling (an ordinary rate)', () => {
    const limit = new InFlightLimit(16, 16);
    feed(limit, 200, 5);
    feed(limit, 200, 5_000);
    expect(limit.current).toBe(16);
  });

  it('refuses a limit under one', () => {
    expect(() => new InFlightLimit(0, 16)).toThrow(RangeError);
  });
});

describe('mapConcurrent', () => {
  const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

  it('keeps the input order, and never more in flight than the limit, as the limit moves', async () => {
    let limit = 2;
    let active = 0;
    const peaks: { limit: number; active: number }[] = [];
    const items = Array.from({ length: 60 }, (_, i) => i);
    const out = await mapConcurrent(
      items,
      () => limit,
      async (i) => {
        active++;
        peaks.push({ limit, active });
        await tick();
        if (i === 20) limit = 8;
        if (i === 40) limit = 3;
        active--;
        return i * 2;
      },
    );
    expect(out).toEqual(items.map((i) => i * 2));
    expect(Math.max(...peaks.map((p) => p.active))).toBe(8);
    // After the cut to 3, what is in flight drains down to it before anything more starts.
    const afterCut = peaks.slice(peaks.findIndex((p) => p.limit === 3) + 8);
    expect(afterCut.every((p) => p.active <= 3)).toBe(true);
  });

  it('answers an empty list at once, and takes a plain number', async () => {
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
    expect(await mapConcurrent([1, 2, 3], 16, async (n) => n + 1)).toEqual([2, 3, 4]);
  });

  it('starts nothing more after a failure, and rejects with the first one', async () => {
    const started: number[] = [];
    const run = mapConcurrent(
      Array.from({ length: 20 }, (_, i) => i),
      2,
      async (i) => {
        started.push(i);
        await tick();
        if (i === 3) throw new Error('boom 3');
        if (i === 4) throw new Error('boom 4');
        return i;
      },
    );
    await expect(run).rejects.toThrow('boom 3');
    await tick();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });
});
