import { describe, expect, it } from 'vitest';
import { compareNps } from '../../shared/score/significance.ts';
import {
  type Counts,
  cesFromCounts,
  csatFromCounts,
  npsFromCounts,
  npsMarginOfError,
  segmentOf,
  topBoxMin,
} from '../../shared/scoring.ts';

/** Counts from a list of answers. */
function countsOf(scores: number[]): Counts {
  const distribution: Record<number, number> = {};
  for (const s of scores) distribution[s] = (distribution[s] ?? 0) + 1;
  return { responses: scores.length, sum: scores.reduce((a, b) => a + b, 0), distribution };
}

describe('NPS', () => {
  it('segments scores by the fixed bands', () => {
    const nps = { min: 0, max: 10 };
    expect([0, 6, 7, 8, 9, 10].map((s) => segmentOf('nps', nps, s))).toEqual([
      'detractor',
      'detractor',
      'passive',
      'passive',
      'promoter',
      'promoter',
    ]);
  });

  it('is 100 with only promoters and -100 with only detractors', () => {
    expect(npsFromCounts(countsOf([9, 10, 10])).nps).toBe(100);
    expect(npsFromCounts(countsOf([0, 3, 6])).nps).toBe(-100);
  });

  it('has no score and no margin without answers', () => {
    expect(npsFromCounts(countsOf([]))).toEqual({
      nps: null,
      promoters: 0,
      passives: 0,
      detractors: 0,
      marginOfError: null,
    });
  });

  it('one promoter scores 100 with a zero margin (no variance in one answer)', () => {
    const f = npsFromCounts(countsOf([9]));
    expect(f.nps).toBe(100);
    expect(f.marginOfError).toBe(0);
  });

  it('computes a hand-worked mixed case', () => {
    // 5 promoters, 3 passives, 2 detractors: NPS = 100 × (0.5 − 0.2) = 30.
    const f = npsFromCounts(countsOf([10, 10, 9, 9, 9, 8, 7, 7, 6, 0]));
    expect(f).toMatchObject({ nps: 30, promoters: 5, passives: 3, detractors: 2 });
    // Margin: 1.96 × 100 × sqrt((0.5 + 0.2 − 0.09) / 10) = 1.96 × 100 × sqrt(0.061) = 48.41…
    expect(f.marginOfError).toBe(48.4);
  });

  it('matches the worked margin-of-error example', () => {
    // p = 0.4, d = 0.2, n = 400: sqrt((0.6 − 0.04)/400) = sqrt(0.0014) = 0.0374166; × 196 = 7.3336…
    expect(npsMarginOfError(0.4, 0.2, 400)).toBeCloseTo(7.3336, 3);
  });

  it('tells whether a change between waves is significant (z test, PRODUCT.md)', () => {
    // 200 promoters, 200 detractors: NPS 0, p + d − (p − d)² = 1, SE² = 1e4 × 1 / 400 = 25.
    const before = countsOf([...Array(200).fill(10), ...Array(200).fill(0)]);
    // 205 / 195: NPS 2.5, 1 − 0.025² = 0.999375, SE² = 24.984375; z = 2.5 / √49.984375 = 0.3536.
    const small = countsOf([...Array(205).fill(10), ...Array(195).fill(0)]);
    // 380 / 20: NPS 90, 1 − 0.9² = 0.19, SE² = 4.75; z = 90 / √29.75 = 16.5006.
    const large = countsOf([...Array(380).fill(10), ...Array(20).fill(0)]);
    expect(compareNps(before, small)).toMatchObject({ significant: false, difference: 2.5 });
    expect(compareNps(before, small)?.statistic).toBeCloseTo(2.5 / Math.sqrt(49.984375), 12);
    expect(compareNps(before, large)).toMatchObject({ significant: true, difference: 90 });
    expect(compareNps(before, large)?.statistic).toBeCloseTo(90 / Math.sqrt(29.75), 12);
    expect(compareNps(countsOf([]), large)).toBeNull();
  });
});

describe('CSAT', () => {
  it('counts the top box: 3 on 1–3, 4–5 on 1–5, 6–7 on 1–7', () => {
    expect(topBoxMin({ min: 1, max: 3 })).toBe(3);
    expect(topBoxMin({ min: 1, max: 5 })).toBe(4);
    expect(topBoxMin({ min: 1, max: 7 })).toBe(6);
  });

  it('on 1–3', () => {
    expect(csatFromCounts(countsOf([1, 2, 3, 3]), { min: 1, max: 3 })).toEqual({
      mean: 2.25,
      satisfiedShare: 0.5,
    });
  });

  it('on 1–5', () => {
    expect(csatFromCounts(countsOf([5, 4, 3, 2, 1]), { min: 1, max: 5 })).toEqual({
      mean: 3,
      satisfiedShare: 0.4,
    });
  });

  it('on 1–7', () => {
    expect(csatFromCounts(countsOf([7, 6, 5, 1]), { min: 1, max: 7 })).toEqual({
      mean: 4.75,
      satisfiedShare: 0.5,
    });
  });

  it('is empty without answers', () => {
    expect(csatFromCounts(countsOf([]), { min: 1, max: 5 })).toEqual({ mean: null, satisfiedShare: null });
  });

  it('segments low / neutral / high', () => {
    const five = { min: 1, max: 5 };
    expect([1, 2, 3, 4, 5].map((s) => segmentOf('csat', five, s))).toEqual([
      'low',
      'low',
      'neutral',
      'high',
      'high',
    ]);
    const three = { min: 1, max: 3 };
    expect([1, 2, 3].map((s) => segmentOf('csat', three, s))).toEqual(['low', 'neutral', 'high']);
  });
});

describe('CES', () => {
  it('is the mean score', () => {
    expect(cesFromCounts(countsOf([7, 6, 2]))).toEqual({ mean: 5 });
    expect(cesFromCounts(countsOf([]))).toEqual({ mean: null });
  });
});
