import { StatsError } from './errors.js';
import { logGamma } from './special/gamma.js';
import { mean, standardDeviation } from './summary.js';
import { assertFiniteSample, assertOption, type NumericArray } from './validate.js';

/**
 * Shewhart control-chart constants (ASTM E2587 / Montgomery, "Introduction to
 * Statistical Quality Control", Appendix VI): d2(n) = E[range of n normal
 * draws]/σ for n = 2…25.
 */
const D2: Readonly<Record<number, number>> = {
  2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.97, 10: 3.078,
  11: 3.173, 12: 3.258, 13: 3.336, 14: 3.407, 15: 3.472, 16: 3.532, 17: 3.588, 18: 3.64,
  19: 3.689, 20: 3.735, 21: 3.778, 22: 3.819, 23: 3.858, 24: 3.895, 25: 3.931,
};
/** D4 for moving ranges of 2: UCL of the MR chart = 3.267·MR̄. */
const D4_MR = 3.267;

/** c4(n) = sqrt(2/(n−1))·Γ(n/2)/Γ((n−1)/2), the bias of the sample SD: E[s] = c4·σ. */
export function c4(n: number): number {
  return Math.sqrt(2 / (n - 1)) * Math.exp(logGamma(n / 2) - logGamma((n - 1) / 2));
}

export function d2(n: number): number {
  const value = D2[n];
  if (value === undefined) throw new StatsError('INVALID_OPTION', `d2 is tabulated for subgroup sizes 2..25; got ${n}`);
  return value;
}

export interface ControlLimits {
  center: number;
  /** Estimated process σ (of individual values). */
  sigma: number;
  ucl: number;
  lcl: number;
}

export interface IndividualsChart extends ControlLimits {
  /** |x_i − x_{i−1}| for i >= 1 (length n − 1). */
  movingRanges: Float64Array;
  averageMovingRange: number;
  /** Upper limit of the moving-range chart, D4·MR̄ (its lower limit is 0). */
  movingRangeUcl: number;
}

/**
 * Shewhart individuals (I-MR) chart: center = mean, σ̂ = MR̄ / d2 with
 * d2 = 1.128 (moving ranges of two), limits center ± 3σ̂.
 * Needs at least 2 values.
 */
export function individualsChart(values: NumericArray): IndividualsChart {
  assertFiniteSample(values, 'values');
  if (values.length < 2) throw new StatsError('INVALID_INPUT', 'an individuals chart needs at least 2 values');
  const movingRanges = new Float64Array(values.length - 1);
  for (let i = 1; i < values.length; i++) movingRanges[i - 1] = Math.abs((values[i] as number) - (values[i - 1] as number));
  const averageMovingRange = mean(movingRanges);
  const center = mean(values);
  const sigma = averageMovingRange / D2[2]!;
  return {
    center,
    sigma,
    ucl: center + 3 * sigma,
    lcl: center - 3 * sigma,
    movingRanges,
    averageMovingRange,
    movingRangeUcl: D4_MR * averageMovingRange,
  };
}

export interface XBarChartOptions {
  /**
   * How σ is estimated from within-subgroup spread: `'range'` uses R̄/d2(n)
   * (classic, subgroup size 2…25), `'stddev'` uses s̄/c4(n) (more efficient
   * for n > 10, any n >= 2).
   * @defaultValue 'range'
   */
  sigmaFrom?: 'range' | 'stddev';
}

export interface XBarChart extends ControlLimits {
  subgroupSize: number;
  /** σ̂/√n: the standard error the limits are built on. */
  sigmaOfMean: number;
  subgroupMeans: Float64Array;
  sigmaFrom: 'range' | 'stddev';
}

/**
 * X̄ chart for equal-size rational subgroups: center = grand mean, limits
 * center ± 3σ̂/√n, σ̂ from R̄/d2(n) or s̄/c4(n) (see {@link XBarChartOptions}).
 */
export function xBarChart(subgroups: readonly NumericArray[], options: XBarChartOptions = {}): XBarChart {
  const sigmaFrom = options.sigmaFrom ?? 'range';
  assertOption(sigmaFrom === 'range' || sigmaFrom === 'stddev', `sigmaFrom must be 'range' or 'stddev'; got ${String(sigmaFrom)}`);
  if (!Array.isArray(subgroups) || subgroups.length === 0) throw new StatsError('INVALID_INPUT', 'subgroups must be a non-empty array');
  const n = subgroups[0]!.length;
  subgroups.forEach((g, i) => {
    assertFiniteSample(g, `subgroups[${i}]`);
    if (g.length !== n) throw new StatsError('INVALID_INPUT', `subgroups[${i}] has ${g.length} values; all subgroups must have ${n}`);
  });
  if (n < 2) throw new StatsError('INVALID_INPUT', 'subgroups need at least 2 values each');
  if (sigmaFrom === 'range') d2(n);
  const subgroupMeans = new Float64Array(subgroups.length);
  const spreads = new Float64Array(subgroups.length);
  subgroups.forEach((g, i) => {
    subgroupMeans[i] = mean(g);
    if (sigmaFrom === 'range') {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < g.length; k++) {
        lo = Math.min(lo, g[k] as number);
        hi = Math.max(hi, g[k] as number);
      }
      spreads[i] = hi - lo;
    } else {
      spreads[i] = standardDeviation(g, 1);
    }
  });
  const center = mean(subgroupMeans);
  const sigma = sigmaFrom === 'range' ? mean(spreads) / d2(n) : mean(spreads) / c4(n);
  const sigmaOfMean = sigma / Math.sqrt(n);
  return { center, sigma, ucl: center + 3 * sigmaOfMean, lcl: center - 3 * sigmaOfMean, subgroupSize: n, sigmaOfMean, subgroupMeans, sigmaFrom };
}

export interface WesternElectricViolations {
  /** Rule 1: a point beyond 3σ. Index of that point. */
  rule1: number[];
  /** Rule 2: 2 of 3 consecutive points beyond 2σ on the same side. Index of the last point of each such window. */
  rule2: number[];
  /** Rule 3: 4 of 5 consecutive points beyond 1σ on the same side. Index of the last point of each such window. */
  rule3: number[];
  /** Rule 4: 8 consecutive points on the same side of the center line. Index of the last point of each such run. */
  rule4: number[];
}

/**
 * Western Electric rules 1–4 (Western Electric "Statistical Quality Control
 * Handbook", 1956) on a series plotted against `center` and `sigma` (the σ of
 * the plotted statistic: σ̂ for an individuals chart, σ̂/√n for X̄). A window
 * is reported at its last index, so each alarm is raised as soon as the data
 * that completes it arrives; overlapping windows are each reported.
 */
export function westernElectric(values: NumericArray, center: number, sigma: number): WesternElectricViolations {
  assertFiniteSample(values, 'values');
  if (!Number.isFinite(center)) throw new StatsError('INVALID_INPUT', 'center must be finite');
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new StatsError('INVALID_INPUT', 'sigma must be finite and > 0');
  const z = Float64Array.from(values, (v) => (v - center) / sigma);
  const out: WesternElectricViolations = { rule1: [], rule2: [], rule3: [], rule4: [] };
  const countBeyond = (end: number, width: number, limit: number, side: 1 | -1): number => {
    let count = 0;
    for (let k = end - width + 1; k <= end; k++) if (side * z[k]! > limit) count++;
    return count;
  };
  for (let i = 0; i < z.length; i++) {
    if (Math.abs(z[i]!) > 3) out.rule1.push(i);
    if (i >= 2 && (countBeyond(i, 3, 2, 1) >= 2 || countBeyond(i, 3, 2, -1) >= 2)) out.rule2.push(i);
    if (i >= 4 && (countBeyond(i, 5, 1, 1) >= 4 || countBeyond(i, 5, 1, -1) >= 4)) out.rule3.push(i);
    if (i >= 7 && (countBeyond(i, 8, 0, 1) === 8 || countBeyond(i, 8, 0, -1) === 8)) out.rule4.push(i);
  }
  return out;
}
