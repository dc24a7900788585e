/**
 * Honest numbers for the dashboard: an estimate with its 95 % interval, and whether a change between two
 * waves (or periods) exceeds what chance explains at 95 % (PRODUCT.md, Reporting). NPS uses the z test on
 * the difference over the square root of the two variances summed; CSAT and CES means use Welch's t test.
 * Pure: answer counts in, unrounded numbers out (rounding is the view's job). n is always recomputed from
 * the distribution, never read from `responses`, so a counter that drifted cannot skew a test.
 */
import { type Counts, npsScale, type SurveyKind, segmentOf } from '../scoring.ts';

export interface NpsEstimate {
  /** −100..100, unrounded. */
  nps: number;
  standardError: number;
  /** 1.96 × standardError, PRODUCT.md's margin of error. */
  margin: number;
  n: number;
}

export interface MeanEstimate {
  mean: number;
  /** Sample variance (n − 1); null with one answer, where it is unknown. */
  variance: number | null;
  standardError: number | null;
  /** t(0.975, n − 1) × s / √n; null with one answer. */
  margin: number | null;
  n: number;
  df: number;
}

/** A change from `before` to `after`, and whether it is significant at 95 % (two-sided). */
export interface Change {
  before: number;
  after: number;
  /** after − before. */
  difference: number;
  test: 'z' | 'welch';
  /** Standard error of the difference: sqrt(SE_before² + SE_after²). */
  standardError: number;
  /** z or Welch's t; null when both sides have zero variance (no measure of chance to test against). */
  statistic: number | null;
  /** Welch–Satterthwaite degrees of freedom (Welch only, absent when statistic is null). */
  df?: number;
  pValue: number | null;
  /** pValue < 0.05; false whenever the test cannot be made. */
  significant: boolean;
}

const alpha = 0.05;
const untestable = { statistic: null, pValue: null, significant: false } as const;
const lnSqrt2Pi = 0.5 * Math.log(2 * Math.PI);
/** Lentz's method replaces a zero denominator by a tiny one. */
const nonZero = (v: number): number => (Math.abs(v) < 1e-300 ? 1e-300 : v);

/** Standard normal CDF, to ~1e-15 absolute and with full relative precision in the far tails. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (Math.abs(z) < 3) {
    // Marsaglia's series Φ(z) = ½ + φ(z)(z + z³/3 + z⁵/(3·5) + …): few terms and no cancellation here.
    const z2 = z * z;
    let term = z;
    let sum = z;
    for (let i = 3; sum + term !== sum; i += 2) {
      term *= z2 / i;
      sum += term;
    }
    return 0.5 + sum * Math.exp(-0.5 * z2 - lnSqrt2Pi);
  }
  const tail = normalUpperTail(Math.abs(z));
  return z > 0 ? 1 - tail : tail;
}

/** Q(z) = φ(z) / (z + 1/(z + 2/(z + 3/(z + …)))) for z ≥ 3 (Laplace), by Lentz's method. */
function normalUpperTail(z: number): number {
  if (z === Number.POSITIVE_INFINITY) return 0;
  let f = z;
  let c = z;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    d = 1 / nonZero(z + k * d);
    c = z + k / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-0.5 * z * z - lnSqrt2Pi) / f;
}

/** Student's t CDF for any real df > 0 (Infinity gives the normal), via the incomplete beta function. */
export function studentTCdf(t: number, df: number): number {
  assertDf(df);
  if (Number.isNaN(t)) return Number.NaN;
  if (df === Number.POSITIVE_INFINITY) return normalCdf(t);
  const t2 = t * t;
  // P(|T| > |t|) = I_x(df/2, ½) with x = df/(df + t²); both x and 1 − x are formed without subtraction.
  const tail = 0.5 * incompleteBeta(1 / (1 + t2 / df), 1 / (1 + df / t2), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** The t with studentTCdf(t, df) = p, by bisection on the smaller tail down to adjacent doubles. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p}`);
  assertDf(df);
  if (p === 0.5) return 0;
  const sign = p < 0.5 ? -1 : 1;
  const tail = p < 0.5 ? p : 1 - p; // 1 − p is exact for p ≥ ½
  if (tail === 0) return sign * Number.POSITIVE_INFINITY;
  let lo = 0;
  let hi = 1;
  while (studentTCdf(-hi, df) > tail) [lo, hi] = [hi, hi * 2];
  for (let i = 0; i < 200; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (studentTCdf(-mid, df) > tail) lo = mid;
    else hi = mid;
  }
  return sign * (lo + (hi - lo) / 2);
}

function assertDf(df: number): void {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
}

/** Regularized incomplete beta I_x(a, b); y = 1 − x is passed in so that neither loses digits near 0 or 1. */
function incompleteBeta(x: number, y: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  // The continued fraction converges fast below the mean only; above it use I_x(a, b) = 1 − I_y(b, a).
  const swap = x > (a + 1) / (a + b + 2);
  const [xs, ys, as, bs] = swap ? [y, x, b, a] : [x, y, a, b];
  const lnX = xs > 0.5 ? Math.log1p(-ys) : Math.log(xs);
  const lnY = ys > 0.5 ? Math.log1p(-xs) : Math.log(ys);
  const value = (Math.exp(as * lnX + bs * lnY - lnBeta(as, bs)) / as) * betaFraction(xs, as, bs);
  return swap ? 1 - value : value;
}

/** The continued fraction of I_x(a, b) (Numerical Recipes' betacf), by the modified Lentz method. */
function betaFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 / nonZero(1 - ((a + b) * x) / (a + 1));
  let h = d;
  // With b = ½ (the t distribution) it never took 60 steps for df from 0.01 to 1e9, any t.
  for (let m = 1; m <= 1000; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / nonZero(1 + even * d);
    c = nonZero(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / nonZero(1 + odd * d);
    c = nonZero(1 + odd / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) return h;
  }
  throw new Error(`incomplete beta did not converge (x=${x}, a=${a}, b=${b})`);
}

/**
 * ln B(a, b), for one small argument (½ here). With a large q, ln Γ(p + q) − ln Γ(q) is formed from
 * Stirling's series directly (as R's lbeta does): subtracting two ln Γ of ~6e6 would keep only ~1e-9.
 */
function lnBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (q < 10) return lnGamma(p) + lnGamma(q) - lnGamma(p + q);
  const corr = stirlingRest(q) - stirlingRest(p + q);
  return lnGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
}

/** ln Γ(x) − ((x − ½) ln x − x + ln √(2π)) for x ≥ 10; the next term is below 2e-14. */
function stirlingRest(x: number): number {
  const x2 = 1 / (x * x);
  return (1 / 12 - x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 / 1188)))) / x;
}

/** ln Γ(x) for x > 0: Stirling's series at x + k ≥ 10, less ln(x(x + 1)…(x + k − 1)). */
function lnGamma(x: number): number {
  let shifted = x;
  let product = 1;
  for (; shifted < 10; shifted++) product *= shifted;
  const leading = (shifted - 0.5) * Math.log(shifted) - shifted + lnSqrt2Pi;
  return leading + stirlingRest(shifted) - Math.log(product);
}

/** [score, answers] for every entry that holds answers (absent, zero or invalid entries hold none). */
const answers = (counts: Counts): [number, number][] =>
  Object.entries(counts.distribution)
    .map(([score, n]): [number, number] => [Number(score), n])
    .filter(([score, n]) => Number.isFinite(score) && n > 0 && Number.isFinite(n));

/** NPS with its standard error and 95 % margin (PRODUCT.md); null without answers. */
export function npsEstimate(counts: Counts): NpsEstimate | null {
  let n = 0;
  let promoters = 0;
  let detractors = 0;
  for (const [score, count] of answers(counts)) {
    n += count;
    const segment = segmentOf('nps', npsScale, score);
    if (segment === 'promoter') promoters += count;
    else if (segment === 'detractor') detractors += count;
  }
  if (n === 0) return null;
  const p = promoters / n;
  const d = detractors / n;
  // p + d − (p − d)² written as p(1 − p) + d(1 − d) + 2pd: non-negative terms, so no cancellation.
  const variance = p * ((n - promoters) / n) + d * ((n - detractors) / n) + 2 * p * d;
  const standardError = 100 * Math.sqrt(variance / n);
  // From the counts rather than 100 × (p − d): exact whenever the true NPS is a float (2.5, not 2.4999…).
  return { nps: (100 * (promoters - detractors)) / n, standardError, margin: 1.96 * standardError, n };
}

/** Mean score with its sample variance and 95 % t interval; null without answers. */
export function meanEstimate(counts: Counts): MeanEstimate | null {
  const entries = answers(counts);
  const n = entries.reduce((total, [, count]) => total + count, 0);
  if (n === 0) return null;
  const mean = entries.reduce((total, [score, count]) => total + score * count, 0) / n;
  if (n < 2) return { mean, variance: null, standardError: null, margin: null, n, df: 0 };
  // Σnᵢ(xᵢ − x̄)², a second pass over a short list: Σnᵢxᵢ² − n·x̄² would cancel at 1e7 answers.
  const squares = entries.reduce((total, [score, count]) => total + count * (score - mean) ** 2, 0);
  const variance = squares / (n - 1);
  const standardError = Math.sqrt(variance / n);
  const margin = studentTQuantile(0.975, n - 1) * standardError;
  return { mean, variance, standardError, margin, n, df: n - 1 };
}

/** z test on two NPS; null when either side has no answers. */
export function compareNps(before: Counts, after: Counts): Change | null {
  const a = npsEstimate(before);
  const b = npsEstimate(after);
  if (!a || !b) return null;
  const base = { before: a.nps, after: b.nps, difference: b.nps - a.nps, test: 'z' as const };
  const standardError = Math.hypot(a.standardError, b.standardError);
  // Both sides without variance (e.g. one answer each): no measure of chance, so no claim of a change.
  if (standardError === 0) return { ...base, standardError, ...untestable };
  const z = base.difference / standardError;
  const pValue = Math.min(1, 2 * normalCdf(-Math.abs(z)));
  return { ...base, standardError, statistic: z, pValue, significant: pValue < alpha };
}

/** Welch's t test on two means; null when either side has fewer than two answers (no variance). */
export function compareMeans(before: Counts, after: Counts): Change | null {
  const a = meanEstimate(before);
  const b = meanEstimate(after);
  if (a?.variance == null || b?.variance == null) return null;
  const base = { before: a.mean, after: b.mean, difference: b.mean - a.mean, test: 'welch' as const };
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const standardError = Math.sqrt(va + vb);
  // Every answer the same on both sides: as for NPS, no test and no claim.
  if (standardError === 0) return { ...base, standardError, ...untestable };
  // Welch–Satterthwaite, written with shares of the summed variance so it neither overflows nor underflows.
  const ra = va / (va + vb);
  const rb = vb / (va + vb);
  const df = 1 / (ra ** 2 / a.df + rb ** 2 / b.df);
  const t = base.difference / standardError;
  const pValue = Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
  return { ...base, standardError, statistic: t, df, pValue, significant: pValue < alpha };
}

/** The test PRODUCT.md names for the kind: NPS by z, CSAT and CES means by Welch. */
export const compareScores = (kind: SurveyKind, before: Counts, after: Counts): Change | null =>
  kind === 'nps' ? compareNps(before, after) : compareMeans(before, after);
