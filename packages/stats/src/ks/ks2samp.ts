import { StatsError } from '../errors.js';
import { kolmogorovSurvival } from '../special/kolmogorov.js';
import { sortedCopy, type NumericArray } from '../validate.js';
import { attemptExact, roundHalfEven, type Alternative } from './exact.js';

export type { Alternative };

export interface Ks2SampOptions {
  /**
   * Alternative hypothesis about the CDFs F (of `a`) and G (of `b`):
   * `'less'` is F(x) < G(x) somewhere, `'greater'` is F(x) > G(x) somewhere.
   * @defaultValue 'two-sided'
   */
  alternative?: Alternative;
}

export interface Ks2SampResult {
  /** D (or D+ / D−). This is also the effect size: the largest gap between the two ECDFs, in [0, 1]. */
  statistic: number;
  pValue: number;
  /** `exact` when the exact distribution was computed; `asymp` for n > 10 000 or when exact overflowed. */
  method: 'exact' | 'asymp';
  /** Observation at which the ECDF gap is largest (SciPy's `statistic_location`). */
  statisticLocation: number;
  /** +1 when ECDF(a) − ECDF(b) is largest there, −1 when ECDF(b) − ECDF(a) is (SciPy's `statistic_sign`). */
  statisticSign: 1 | -1;
}

/** SciPy's MAX_AUTO_N: `method='auto'` tries the exact distribution up to this size. */
export const KS_MAX_EXACT_N = 10_000;

const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'less', 'greater'];

/**
 * Two-sample Kolmogorov–Smirnov test, matching `scipy.stats.ks_2samp(a, b,
 * alternative, method='auto')` (SciPy 1.17): statistic, p-value, location and
 * sign, ties included.
 *
 * - D is found by one merge walk over the two sorted samples (Float64Array
 *   numeric sort), evaluating ECDF(a) − ECDF(b) after each distinct value, as
 *   SciPy's searchsorted(side='right') does; location ties resolve like
 *   numpy's argmin/argmax over `concatenate([sorted a, sorted b])`.
 * - Exact p-value when max(n1, n2) <= 10 000: Hodges (1958) lattice-path
 *   counts; n1 == n2 uses the closed form; the statistic is snapped to
 *   round(D·lcm)/lcm as SciPy does. If that overflows (one-sided with
 *   n1 != n2 and large n), falls back to asymptotic like SciPy.
 * - Asymptotic two-sided: `kstwo.sf(D, round(n1·n2/(n1+n2)))`, the
 *   exact one-sample Kolmogorov distribution (Simard & L'Ecuyer 2011).
 * - Asymptotic one-sided: Hodges' approximation (eq. 5.3),
 *   exp(−2z² − 2z(m + 2n)/(3·sqrt(mn(m+n)))) with z = D·sqrt(mn/(m+n)), m >= n.
 *
 * Throws `StatsError` INVALID_INPUT for empty inputs or non-finite values,
 * INVALID_OPTION for an unknown alternative.
 */
export function ks2samp(a: NumericArray, b: NumericArray, options: Ks2SampOptions = {}): Ks2SampResult {
  const alternative = options.alternative ?? 'two-sided';
  if (!ALTERNATIVES.includes(alternative)) {
    throw new StatsError('INVALID_OPTION', `alternative must be one of ${ALTERNATIVES.join(', ')}; got ${String(alternative)}`);
  }
  const x = sortedCopy(a, 'a');
  const y = sortedCopy(b, 'b');
  return ks2sampSorted(x, y, alternative);
}

/** ks2samp on samples already validated and sorted ascending (used by the worker to skip a copy). */
export function ks2sampSorted(x: Float64Array, y: Float64Array, alternative: Alternative): Ks2SampResult {
  const n1 = x.length;
  const n2 = y.length;
  const gap = maxEcdfGaps(x, y);
  const minS = Math.min(Math.max(-gap.min, 0), 1);
  const maxS = gap.max;

  let d: number;
  let location: number;
  let sign: 1 | -1;
  if (alternative === 'less' || (alternative === 'two-sided' && minS > maxS)) {
    d = minS;
    location = gap.minLocation;
    sign = -1;
  } else {
    d = maxS;
    location = gap.maxLocation;
    sign = 1;
  }

  const g = gcd(n1, n2);
  let method: 'exact' | 'asymp' = Math.max(n1, n2) <= KS_MAX_EXACT_N ? 'exact' : 'asymp';
  let prob = Number.NEGATIVE_INFINITY;
  if (method === 'exact') {
    const attempt = attemptExact(n1, n2, g, d, alternative);
    d = attempt.d;
    prob = attempt.prob;
    if (!attempt.success) method = 'asymp';
  }
  if (method === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    if (alternative === 'two-sided') {
      prob = kolmogorovSurvival(roundHalfEven(en), d);
    } else {
      const z = Math.sqrt(en) * d;
      const expt = -2 * z ** 2 - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3.0;
      prob = Math.exp(expt);
    }
  }
  const pValue = Math.min(Math.max(prob, 0), 1);
  return { statistic: d === 0 ? 0 : d, pValue, method, statisticLocation: location, statisticSign: sign };
}

interface EcdfGaps {
  max: number;
  maxLocation: number;
  min: number;
  minLocation: number;
}

/**
 * One merge walk: after each distinct value v, diff = #{a <= v}/n1 − #{b <= v}/n2.
 * numpy's argmax over concatenate([a, b]) returns the first index, so a value
 * present in `a` wins over an equal extreme found only in `b`, and within each
 * sample the smallest such value wins.
 */
function maxEcdfGaps(x: Float64Array, y: Float64Array): EcdfGaps {
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let maxA = Number.NEGATIVE_INFINITY;
  let maxALoc = Number.NaN;
  let minA = Number.POSITIVE_INFINITY;
  let minALoc = Number.NaN;
  let maxB = Number.NEGATIVE_INFINITY;
  let maxBLoc = Number.NaN;
  let minB = Number.POSITIVE_INFINITY;
  let minBLoc = Number.NaN;
  while (i < n1 || j < n2) {
    const xv = i < n1 ? x[i]! : Number.POSITIVE_INFINITY;
    const yv = j < n2 ? y[j]! : Number.POSITIVE_INFINITY;
    const v = xv <= yv ? xv : yv;
    const inA = xv === v;
    const inB = yv === v;
    if (inA) while (i < n1 && x[i] === v) i++;
    if (inB) while (j < n2 && y[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (inA) {
      if (diff > maxA) {
        maxA = diff;
        maxALoc = v;
      }
      if (diff < minA) {
        minA = diff;
        minALoc = v;
      }
    }
    if (inB) {
      if (diff > maxB) {
        maxB = diff;
        maxBLoc = v;
      }
      if (diff < minB) {
        minB = diff;
        minBLoc = v;
      }
    }
  }
  return {
    max: maxA >= maxB ? maxA : maxB,
    maxLocation: maxA >= maxB ? maxALoc : maxBLoc,
    min: minA <= minB ? minA : minB,
    minLocation: minA <= minB ? minALoc : minBLoc,
  };
}

function gcd(a: number, b: number): number {
  let p = a;
  let q = b;
  while (q !== 0) [p, q] = [q, p % q];
  return p;
}
