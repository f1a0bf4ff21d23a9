import { StatsError } from './errors.js';
import { studentTQuantile } from './special/student-t.js';
import { mean, standardDeviation } from './summary.js';
import { assertFiniteSample, type NumericArray } from './validate.js';

export interface RelativeDeviationOptions {
  /**
   * Smallest |reference| accepted: below it the ratio is meaningless and
   * INVALID_INPUT is thrown rather than returning a huge or infinite value.
   * @defaultValue 1e-12
   */
  minAbsReference?: number;
}

/** |measured − reference| / |reference|, for one reading or element-wise for two equal-length arrays. */
export function relativeDeviation(measured: number, reference: number, options?: RelativeDeviationOptions): number;
export function relativeDeviation(measured: NumericArray, reference: NumericArray, options?: RelativeDeviationOptions): Float64Array;
export function relativeDeviation(
  measured: number | NumericArray,
  reference: number | NumericArray,
  options: RelativeDeviationOptions = {},
): number | Float64Array {
  const guard = options.minAbsReference ?? 1e-12;
  if (typeof measured === 'number' && typeof reference === 'number') {
    assertFiniteSample([measured], 'measured');
    assertFiniteSample([reference], 'reference');
    return one(measured, reference, guard, 0);
  }
  if (typeof measured === 'number' || typeof reference === 'number') {
    throw new StatsError('INVALID_INPUT', 'measured and reference must both be numbers or both be arrays');
  }
  assertFiniteSample(measured, 'measured');
  assertFiniteSample(reference, 'reference');
  if (measured.length !== reference.length) {
    throw new StatsError('INVALID_INPUT', `measured and reference must have the same length (${measured.length} != ${reference.length})`);
  }
  const out = new Float64Array(measured.length);
  for (let i = 0; i < out.length; i++) out[i] = one(measured[i] as number, reference[i] as number, guard, i);
  return out;
}

function one(m: number, r: number, guard: number, index: number): number {
  if (Math.abs(r) < guard) {
    throw new StatsError('INVALID_INPUT', `reference[${index}] = ${r} is too close to 0 (|reference| < ${guard}) for a relative deviation`, {
      details: { index },
    });
  }
  return Math.abs(m - r) / Math.abs(r);
}

export interface Interval {
  lower: number;
  upper: number;
}

export interface BlandAltmanResult {
  n: number;
  /** Mean of (measured − reference). */
  bias: number;
  /** Sample SD (ddof 1) of the differences. */
  sdDifferences: number;
  /** bias ± 1.96·SD. */
  lowerLimit: number;
  upperLimit: number;
  /** 95% CI of the bias: bias ± t(0.975, n−1)·SD/√n. */
  biasCi: Interval;
  /** 95% CIs of each limit: limit ± t(0.975, n−1)·SD·√(3/n) (Bland & Altman 1999, approximate SE). */
  lowerLimitCi: Interval;
  upperLimitCi: Interval;
}

/**
 * Bland–Altman agreement between a device under calibration and a reference
 * (Bland & Altman, Lancet 1986; Stat Methods Med Res 1999). Needs n >= 2
 * paired, finite readings.
 */
export function blandAltman(measured: NumericArray, reference: NumericArray): BlandAltmanResult {
  assertFiniteSample(measured, 'measured');
  assertFiniteSample(reference, 'reference');
  const n = measured.length;
  if (reference.length !== n) {
    throw new StatsError('INVALID_INPUT', `measured and reference must have the same length (${n} != ${reference.length})`);
  }
  if (n < 2) throw new StatsError('INVALID_INPUT', 'blandAltman needs at least 2 paired readings');
  const diffs = new Float64Array(n);
  for (let i = 0; i < n; i++) diffs[i] = (measured[i] as number) - (reference[i] as number);
  const bias = mean(diffs);
  const sd = standardDeviation(diffs, 1);
  const lowerLimit = bias - 1.96 * sd;
  const upperLimit = bias + 1.96 * sd;
  const t = studentTQuantile(0.975, n - 1);
  const seBias = sd / Math.sqrt(n);
  const seLimit = sd * Math.sqrt(3 / n);
  return {
    n,
    bias,
    sdDifferences: sd,
    lowerLimit,
    upperLimit,
    biasCi: { lower: bias - t * seBias, upper: bias + t * seBias },
    lowerLimitCi: { lower: lowerLimit - t * seLimit, upper: lowerLimit + t * seLimit },
    upperLimitCi: { lower: upperLimit - t * seLimit, upper: upperLimit + t * seLimit },
  };
}
