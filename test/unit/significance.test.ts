import { describe, expect, it } from 'vitest';
import {
  type Change,
  compareMeans,
  compareNps,
  compareScores,
  meanEstimate,
  normalCdf,
  npsEstimate,
  studentTCdf,
  studentTQuantile,
} from '../../shared/score/significance.ts';
import type { Counts } from '../../shared/scoring.ts';

/*
 * Oracles: hand arithmetic written out beside each case, closed forms (t with 1 and 2 df), and literals
 * produced once with scipy 1.17 (stats.norm.cdf, stats.t.cdf, stats.t.ppf, stats.ttest_ind(after, before,
 * equal_var=False) on the expanded samples) and checked against mpmath at 40 digits.
 */

/** Counts from answers per score, the way the aggregates store them. */
function counts(distribution: Record<number, number>): Counts {
  const entries = Object.entries(distribution).map(([s, n]) => [Number(s), n] as const);
  return {
    responses: entries.reduce((total, [, n]) => total + n, 0),
    sum: entries.reduce((total, [s, n]) => total + s * n, 0),
    distribution,
  };
}

/** NPS counts: promoters answer 10, passives 8, detractors 0. */
const nps = (promoters: number, passives: number, detractors: number): Counts =>
  counts({ 10: promoters, 8: passives, 0: detractors });

/** No NaN and no infinity anywhere in an answer. */
function expectAllFinite(change: Change | null): void {
  for (const value of Object.values(change ?? {})) {
    if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
  }
}

describe('normalCdf', () => {
  it('matches scipy to 1e-15, and in the far tails to 12 significant digits', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959964)).toBeCloseTo(0.9750000009035577, 15);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 15);
    expect(normalCdf(-2.5)).toBeCloseTo(0.006209665325776132, 15);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316300933, 15);
    expect(normalCdf(3.5)).toBeCloseTo(0.9997673709209645, 15);
    expect(normalCdf(-8) / 6.22096057427174e-16).toBeCloseTo(1, 12);
    expect(normalCdf(-20) / 2.7536241186061556e-89).toBeCloseTo(1, 12);
  });

  it('is symmetric and saturates at the infinities', () => {
    for (const z of [0.3, 1.7, 2.99, 3.01, 6]) expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 15);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });
});

describe('studentTCdf', () => {
  it('matches the closed forms for 1 df (Cauchy: ½ + atan(t)/π) and 2 df (½ + t / (2√(2 + t²)))', () => {
    for (const t of [-1000, -40, -3, -1, -1e-6, 0, 0.5, 2, 12.7062, 1e6]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
    }
  });

  it('matches scipy to 1e-10, non-integer df included', () => {
    const cases: [t: number, df: number, cdf: number][] = [
      [2.2281, 10, 0.9749983532067628],
      [-1.5, 2.5, 0.12391822654314809],
      [0.7, 4.7, 0.7414780548024693],
      [-3, 30, 0.0026949820328259727],
      [4, 15.517, 0.9994548373693614],
      [-6, 3, 0.004636357446142333],
      [12, 5, 0.9999645525374142],
      [-2, 1e6, 0.02275026692565962],
      [1.96, 1e6, 0.9750019662073651],
      [-1.96, 1e6, 0.02499803379263489],
    ];
    for (const [t, df, cdf] of cases) expect(studentTCdf(t, df)).toBeCloseTo(cdf, 10);
  });

  it('becomes the normal as df grows, and rejects df ≤ 0', () => {
    expect(studentTCdf(-1.96, Number.POSITIVE_INFINITY)).toBe(normalCdf(-1.96));
    expect(studentTCdf(-1.96, 1e9)).toBeCloseTo(normalCdf(-1.96), 9);
    expect(studentTCdf(Number.POSITIVE_INFINITY, 3)).toBe(1);
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
    expect(() => studentTCdf(1, Number.NaN)).toThrow(RangeError);
  });
});

describe('studentTQuantile', () => {
  it('gives the table values: t(0.975, 1) = 12.7062, (10) = 2.2281, (30) = 2.0423, large df → 1.96', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 9);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652729749462, 10);
    expect(studentTQuantile(0.975, 2.5)).toBeCloseTo(3.5746548420036817, 10);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138851986274, 10);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0422724563012378, 10);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966356814107, 9);
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.959963984540054, 8);
  });

  it('handles the lower tail, the centre and the ends', () => {
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.2281388519862753, 10);
    expect(studentTQuantile(1e-9, 3) / -1033.1096745038078).toBeCloseTo(1, 10);
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0, 7)).toBe(Number.NEGATIVE_INFINITY);
    expect(studentTQuantile(1, 7)).toBe(Number.POSITIVE_INFINITY);
    expect(() => studentTQuantile(1.5, 7)).toThrow(RangeError);
    expect(() => studentTQuantile(Number.NaN, 7)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, -1)).toThrow(RangeError);
  });

  it('inverts the CDF', () => {
    for (const df of [0.5, 1, 3.3, 17, 250, 1e5]) {
      for (const p of [0.001, 0.2, 0.6, 0.95, 0.999])
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 13);
    }
  });
});

describe('npsEstimate', () => {
  it('computes the unrounded NPS, its standard error and margin by hand', () => {
    // 40 / 30 / 30 of 100: p = 0.4, d = 0.3, NPS = 10; p + d − (p − d)² = 0.7 − 0.01 = 0.69;
    // SE = 100 × √(0.69 / 100) = √69 = 8.306624; margin = 1.96 × 8.306624 = 16.280984.
    const e = npsEstimate(nps(40, 30, 30));
    expect(e?.n).toBe(100);
    expect(e?.nps).toBeCloseTo(10, 12);
    expect(e?.standardError).toBeCloseTo(Math.sqrt(69), 12);
    expect(e?.margin).toBeCloseTo(1.96 * Math.sqrt(69), 12);
  });

  it('is null without answers; one answer or all promoters have no variance', () => {
    expect(npsEstimate(counts({}))).toBeNull();
    expect(npsEstimate(counts({ 9: 0 }))).toBeNull();
    expect(npsEstimate(counts({ 9: 1 }))).toEqual({ nps: 100, standardError: 0, margin: 0, n: 1 });
    expect(npsEstimate(counts({ 9: 60, 10: 40 }))).toEqual({ nps: 100, standardError: 0, margin: 0, n: 100 });
  });

  it('takes n from the distribution, not from `responses`, and ignores entries without answers', () => {
    // 3 promoters, 1 detractor: NPS = 50; p + d − (p − d)² = 1 − 0.25 = 0.75; SE = 100 × √(0.75 / 4) = 43.30127.
    // Zero, negative and non-finite entries (a corrupt counter) hold no answers.
    const distribution = { 10: 3, 9: 0, 5: 0, 0: 1, 7: -2, 8: Number.NaN };
    const e = npsEstimate({ responses: 7, sum: 0, distribution });
    expect(e?.n).toBe(4);
    expect(e?.nps).toBe(50);
    expect(e?.standardError).toBeCloseTo(43.30127018922193, 10);
  });
});

describe('compareNps', () => {
  const before = nps(40, 30, 30); // NPS 10, SE² = 100 × 0.69 = 69

  it('is significant for the issue example: 40/30/30 → 55/25/20 of 100', () => {
    // After: p = 0.55, d = 0.2, NPS = 35, p + d − (p − d)² = 0.75 − 0.1225 = 0.6275, SE² = 62.75.
    // z = 25 / √(69 + 62.75) = 25 / 11.478240 = 2.178034; p = 2(1 − Φ(2.178)) = 0.029403.
    const c = compareNps(before, nps(55, 25, 20));
    expect(c?.test).toBe('z');
    expect(c?.before).toBeCloseTo(10, 12);
    expect(c?.after).toBeCloseTo(35, 12);
    expect(c?.difference).toBeCloseTo(25, 12);
    expect(c?.standardError).toBeCloseTo(Math.sqrt(131.75), 12);
    expect(c?.statistic).toBeCloseTo(2.1780342093451606, 12);
    expect(c?.pValue).toBeCloseTo(0.02940348997658956, 12);
    expect(c?.significant).toBe(true);
    expect(c?.df).toBeUndefined();
  });

  it('is clearly not significant for 40/30/30 → 42/30/28', () => {
    // After: NPS 14, 0.70 − 0.14² = 0.6804, SE² = 68.04; z = 4 / √137.04 = 0.341693; p = 0.732582.
    const c = compareNps(before, nps(42, 30, 28));
    expect(c?.statistic).toBeCloseTo(0.3416931845104932, 12);
    expect(c?.pValue).toBeCloseTo(0.7325818017111705, 12);
    expect(c?.significant).toBe(false);
  });

  it('is clearly significant for the same shares with ten times the answers', () => {
    // n = 1000: SE² = 1e4 × 0.69 / 1000 = 6.9 and 6.275; z = 25 / √13.175 = 6.887549; p = 5.676e-12.
    const c = compareNps(nps(400, 300, 300), nps(550, 250, 200));
    expect(c?.statistic).toBeCloseTo(6.8875489232947, 11);
    expect((c?.pValue ?? 0) / 5.676185559390302e-12).toBeCloseTo(1, 8);
    expect(c?.significant).toBe(true);
  });

  it('draws the line at |z| = 1.959964, on unrounded figures', () => {
    // 18/53/29: NPS −11, 0.47 − 0.0121 = 0.4579, SE² = 45.79; z = −21 / √114.79 = −1.960051, p = 0.049990.
    // (The old rule compared rounded figures: 21 > √(16.3² + 13.3²) = 21.04 is false, so it said no.)
    const above = compareNps(before, nps(18, 53, 29));
    expect(above?.statistic).toBeCloseTo(-1.9600505263981403, 12);
    expect(above?.pValue).toBeCloseTo(0.049989884968013515, 12);
    expect(above?.significant).toBe(true);
    // 4/84/12: NPS −8, 0.16 − 0.0064 = 0.1536, SE² = 15.36; z = −18 / √84.36 = −1.959766, p = 0.050023.
    const below = compareNps(before, nps(4, 84, 12));
    expect(below?.statistic).toBeCloseTo(-1.9597660033920405, 12);
    expect(below?.pValue).toBeCloseTo(0.05002314653443321, 12);
    expect(below?.significant).toBe(false);
  });

  it('is null when either side has no answers', () => {
    expect(compareNps(counts({}), before)).toBeNull();
    expect(compareNps(before, counts({ 10: 0 }))).toBeNull();
  });

  it('tests against the one side with variance when the other has none (all promoters)', () => {
    // 100 promoters: SE 0. 90/0/10: NPS 80, 1 − 0.64 = 0.36, SE² = 36; z = −20 / 6 = −3.333333, p = 0.000858.
    const c = compareNps(nps(100, 0, 0), nps(90, 0, 10));
    expect(c?.statistic).toBeCloseTo(-10 / 3, 12);
    expect(c?.pValue).toBeCloseTo(0.0008581206663936725, 12);
    expect(c?.significant).toBe(true);
  });

  it('makes no claim when neither side has variance: statistic and p null, not significant', () => {
    const oneEach = compareNps(counts({ 10: 1 }), counts({ 0: 1 }));
    expect(oneEach).toEqual({
      before: 100,
      after: -100,
      difference: -200,
      test: 'z',
      standardError: 0,
      statistic: null,
      pValue: null,
      significant: false,
    });
    expectAllFinite(oneEach);
    expect(compareNps(nps(100, 0, 0), nps(50, 0, 0))).toMatchObject({ difference: 0, significant: false });
  });

  it('keeps full precision with 1e7 answers a side', () => {
    // 5e6/3e6/2e6: NPS 30, 0.7 − 0.09 = 0.61, SE² = 1e4 × 0.61 / 1e7 = 6.1e-4.
    // 5.01e6/2.99e6/2e6: NPS 30.1, 0.701 − 0.301² = 0.610399, SE² = 6.10399e-4;
    // z = 0.1 / √1.220399e-3 = 0.1 / 0.0349342 = 2.862524, p = 0.004203.
    const base = nps(5_000_000, 3_000_000, 2_000_000);
    const c = compareNps(base, nps(5_010_000, 2_990_000, 2_000_000));
    expect(c?.difference).toBeCloseTo(0.1, 10);
    expect(c?.statistic).toBeCloseTo(2.8625236168341037, 9);
    expect(c?.pValue).toBeCloseTo(0.004202819375888273, 10);
    expect(c?.significant).toBe(true);
    // 500 more promoters of 1e7: z = 0.005 / 0.0349339 = 0.143148: chance.
    const tiny = compareNps(base, nps(5_000_500, 2_999_500, 2_000_000));
    expect(tiny?.statistic).toBeCloseTo(0.1431484103822885, 8);
    expect(tiny?.significant).toBe(false);
  });
});

describe('meanEstimate', () => {
  it('computes the mean, sample variance and t interval by hand (CSAT 1–5)', () => {
    // {2: 2, 3: 4, 4: 4}: mean = 32 / 10 = 3.2; Σnᵢ(xᵢ − x̄)² = 2(1.44) + 4(0.04) + 4(0.64) = 5.6;
    // s² = 5.6 / 9 = 0.622222; margin = t(0.975, 9) × √(0.622222 / 10) = 2.262157 × 0.249444 = 0.564281.
    const e = meanEstimate(counts({ 2: 2, 3: 4, 4: 4 }));
    expect(e?.n).toBe(10);
    expect(e?.df).toBe(9);
    expect(e?.mean).toBeCloseTo(3.2, 14);
    expect(e?.variance).toBeCloseTo(5.6 / 9, 14);
    expect(e?.standardError).toBeCloseTo(Math.sqrt(0.56 / 9), 14);
    expect(e?.margin).toBeCloseTo(0.5642811372151657, 10);
  });

  it('is null without answers; with one answer gives the mean but no variance or margin', () => {
    expect(meanEstimate(counts({}))).toBeNull();
    expect(meanEstimate(counts({ 4: 1, 5: 0 }))).toEqual({
      mean: 4,
      variance: null,
      standardError: null,
      margin: null,
      n: 1,
      df: 0,
    });
    expect(meanEstimate(counts({ 5: 12 }))).toMatchObject({
      mean: 5,
      variance: 0,
      standardError: 0,
      margin: 0,
    });
  });

  it('keeps full precision with 1e7 answers', () => {
    // {1: 1e6, 4: 4e6, 7: 5e6}: mean = 52e6 / 1e7 = 5.2; Σnᵢ(xᵢ − x̄)² = 1e6(17.64) + 4e6(1.44) + 5e6(3.24)
    // = 39.6e6; s² = 39.6e6 / 9 999 999 = 3.960000396000040.
    const wide = meanEstimate(counts({ 1: 1e6, 4: 4e6, 7: 5e6 }));
    expect(wide?.mean).toBeCloseTo(5.2, 13);
    expect((wide?.variance ?? 0) / (39.6e6 / 9_999_999)).toBeCloseTo(1, 13);
    // One 6 among 9 999 999 sevens (N = 1e7): Σ(x − x̄)² = (N − 1)/N² + ((N − 1)/N)² = (N − 1)/N, so s² = 1/N
    // exactly; Σnᵢxᵢ² − n·x̄² would lose it to cancellation.
    const narrow = meanEstimate(counts({ 6: 1, 7: 9_999_999 }));
    expect(narrow?.mean).toBeCloseTo(7 - 1e-7, 14);
    expect((narrow?.variance ?? 0) / 1e-7).toBeCloseTo(1, 9);
  });
});

describe('compareMeans (Welch)', () => {
  it('CSAT 1–5, clearly significant, non-integer df', () => {
    // Before {2: 2, 3: 4, 4: 4}: mean 3.2, s² = 5.6/9. After {4: 4, 5: 6}: mean 4.6, Σ = 4(0.36) + 6(0.16) = 2.4,
    // s² = 2.4/9. s²/n: 0.56/9 and 0.24/9, summed 0.8/9; t = 1.4 / √(0.8/9) = 4.695743;
    // df = (0.8/9)² / ((0.56/9)²/9 + (0.24/9)²/9) = 9 × 0.64 / (0.3136 + 0.0576) = 15.517241; p = 0.000263.
    const c = compareMeans(counts({ 2: 2, 3: 4, 4: 4 }), counts({ 4: 4, 5: 6 }));
    expect(c?.test).toBe('welch');
    expect(c?.difference).toBeCloseTo(1.4, 14);
    expect(c?.statistic).toBeCloseTo(4.695742752749557, 12);
    expect(c?.df).toBeCloseTo(5.76 / 0.3712, 12);
    expect(c?.pValue).toBeCloseTo(0.00026294169359484577, 12);
    expect(c?.significant).toBe(true);
  });

  it('CSAT 1–5, clearly not significant', () => {
    // Before {3: 2, 4: 4, 5: 2}: mean 4, Σ = 4, s² = 4/7. After {3: 1, 4: 5, 5: 2}: mean 33/8 = 4.125,
    // Σ = 1.265625 + 0.078125 + 1.53125 = 2.875, s² = 2.875/7. s²/n summed = 6.875/56; t = 0.125 / 0.350383 = 0.356753;
    // df = 7 × 6.875² / (4² + 2.875²) = 330.859375 / 24.265625 = 13.634900; p = 0.726737.
    const c = compareMeans(counts({ 3: 2, 4: 4, 5: 2 }), counts({ 3: 1, 4: 5, 5: 2 }));
    expect(c?.statistic).toBeCloseTo(0.3567530340063379, 12);
    expect(c?.df).toBeCloseTo(330.859375 / 24.265625, 12);
    expect(c?.pValue).toBeCloseTo(0.7267372233267451, 12);
    expect(c?.significant).toBe(false);
  });

  it('CES 1–7, significant and not', () => {
    // {3: 3, 4: 4, 5: 3} vs {4: 3, 5: 4, 6: 3}: means 4 and 5, s² = 6/9 each, s²/n = 2/30 each;
    // t = 1 / √(4/30) = √7.5 = 2.738613; df = (4/30)² / (2 × (2/30)² / 9) = 18 exactly; p = 0.013496.
    const yes = compareMeans(counts({ 3: 3, 4: 4, 5: 3 }), counts({ 4: 3, 5: 4, 6: 3 }));
    expect(yes?.statistic).toBeCloseTo(Math.sqrt(7.5), 12);
    expect(yes?.df).toBeCloseTo(18, 12);
    expect(yes?.pValue).toBeCloseTo(0.01349611894632821, 12);
    expect(yes?.significant).toBe(true);
    // {1: 2, 4: 6, 7: 2}: mean 4, Σ = 36, s² = 4. {1: 2, 4: 5, 7: 3}: mean 4.3, Σ = 21.78 + 0.45 + 21.87 = 44.1,
    // s² = 4.9. t = 0.3 / √(0.4 + 0.49) = 0.317999; df = 9 × 0.89² / (0.4² + 0.49²) = 17.817796; p = 0.754182.
    const no = compareMeans(counts({ 1: 2, 4: 6, 7: 2 }), counts({ 1: 2, 4: 5, 7: 3 }));
    expect(no?.statistic).toBeCloseTo(0.3179993640019078, 12);
    expect(no?.df).toBeCloseTo(17.81779555111222, 10);
    expect(no?.pValue).toBeCloseTo(0.7541822193953227, 12);
    expect(no?.significant).toBe(false);
  });

  it('CES borderline: |t| past 1.96 is not enough with 35 df', () => {
    // Before {3: 6, 4: 8, 5: 6}: mean 4, Σ = 12, s² = 12/19, s²/n = 12/380.
    // After {4: 12, 5: 7, 6: 1}: mean 4.45, Σ = 2.43 + 2.1175 + 2.4025 = 6.95, s²/n = 6.95/380;
    // t = 0.45 / √(18.95/380) = 2.015114; df = 19 × 18.95² / (12² + 6.95²) = 35.480285; t(0.975, 35.48) ≈ 2.029,
    // so p = 0.051518: not significant, where a normal test would have said it was.
    const below = compareMeans(counts({ 3: 6, 4: 8, 5: 6 }), counts({ 4: 12, 5: 7, 6: 1 }));
    expect(below?.statistic).toBeCloseTo(2.0151143927408035, 12);
    expect(below?.df).toBeCloseTo(35.48028496769413, 10);
    expect(below?.pValue).toBeCloseTo(0.051518200158730244, 12);
    expect(below?.significant).toBe(false);
    // After {4: 13, 5: 4, 6: 3}: mean 4.5, Σ = 3.25 + 1 + 6.75 = 11; t = 0.5 / √(23/380) = 2.032347;
    // df = 19 × 23² / (12² + 11²) = 37.928302; p = 0.049164: significant.
    const above = compareMeans(counts({ 3: 6, 4: 8, 5: 6 }), counts({ 4: 13, 5: 4, 6: 3 }));
    expect(above?.statistic).toBeCloseTo(2.032347111742651, 12);
    expect(above?.df).toBeCloseTo((19 * 23 ** 2) / 265, 10);
    expect(above?.pValue).toBeCloseTo(0.0491642331413484, 12);
    expect(above?.significant).toBe(true);
  });

  it('is null when either side has fewer than two answers', () => {
    const some = counts({ 3: 3, 4: 4 });
    expect(compareMeans(counts({}), some)).toBeNull();
    expect(compareMeans(some, counts({ 5: 1 }))).toBeNull();
  });

  it('uses the other side’s df when one side has no variance', () => {
    // {1: 1, 5: 9}: mean 4.6, Σ = 12.96 + 9(0.16) = 14.4, s² = 1.6, s²/n = 0.16. {4: 10}: s² = 0.
    // t = −0.6 / 0.4 = −1.5; df = 10 − 1 = 9; p = 0.167851.
    const c = compareMeans(counts({ 1: 1, 5: 9 }), counts({ 4: 10 }));
    expect(c?.statistic).toBeCloseTo(-1.5, 12);
    expect(c?.df).toBeCloseTo(9, 12);
    expect(c?.pValue).toBeCloseTo(0.1678506560570751, 12);
    expect(c?.significant).toBe(false);
  });

  it('makes no claim when neither side has variance', () => {
    const c = compareMeans(counts({ 5: 50 }), counts({ 4: 50 }));
    expect(c).toEqual({
      before: 5,
      after: 4,
      difference: -1,
      test: 'welch',
      standardError: 0,
      statistic: null,
      pValue: null,
      significant: false,
    });
    expectAllFinite(c);
  });

  it('keeps full precision with 1e7 answers a side', () => {
    // Means 5.2 → 5.203 with s² ≈ 3.96: t = 0.003 / √(2 × 3.96 / 1e7) ≈ 3.3706, df ≈ 2e7.
    const c = compareMeans(
      counts({ 1: 1e6, 4: 4e6, 7: 5e6 }),
      counts({ 1: 1e6, 4: 3_990_000, 7: 5_010_000 }),
    );
    expect(c?.statistic).toBeCloseTo(3.370618055654465, 9);
    expect(c?.df).toBeCloseTo(19999996.97770946, 4);
    expect(c?.pValue).toBeCloseTo(0.0007499990458063407, 10);
    expect(c?.significant).toBe(true);
    // Variances of 1e-7 and 2e-7 that a Σx² formula would lose: t = −1e-7 / √(3e-14) ≈ −0.57735.
    const fine = compareMeans(counts({ 6: 1, 7: 9_999_999 }), counts({ 6: 2, 7: 9_999_998 }));
    expect(fine?.statistic).toBeCloseTo(-0.577350284925808, 8);
    expect(fine?.df).toBeCloseTo(17999998.68000001, 1);
    expect(fine?.significant).toBe(false);
  });
});

describe('compareScores', () => {
  it('uses the z test for NPS and Welch for CSAT and CES', () => {
    const a = counts({ 3: 3, 4: 4, 5: 3, 9: 2 });
    const b = counts({ 4: 3, 5: 4, 6: 3, 10: 2 });
    expect(compareScores('nps', a, b)).toEqual(compareNps(a, b));
    expect(compareScores('nps', a, b)?.test).toBe('z');
    expect(compareScores('csat', a, b)).toEqual(compareMeans(a, b));
    expect(compareScores('ces', a, b)?.test).toBe('welch');
  });
});
