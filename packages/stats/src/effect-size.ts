import { mean, variance } from './summary.js';
import { StatsError } from './errors.js';
import { assertFiniteSample, type NumericArray } from './validate.js';

/**
 * Cohen's d of `current` against `reference`: (mean(current) − mean(reference))
 * divided by the pooled standard deviation
 * sqrt(((n1−1)s1² + (n2−1)s2²)/(n1+n2−2)) (Cohen 1988). Reported beside
 * p-values because at 10^7 points a KS or t p-value flags a 0.005σ shift
 * that d shows to be negligible. Needs n1 + n2 > 2 and a non-zero spread.
 */
export function cohensD(reference: NumericArray, current: NumericArray): number {
  assertFiniteSample(reference, 'reference');
  assertFiniteSample(current, 'current');
  const n1 = reference.length;
  const n2 = current.length;
  if (n1 + n2 <= 2) throw new StatsError('INVALID_INPUT', 'cohensD needs at least 3 observations in total');
  const ss1 = n1 > 1 ? variance(reference, 1) * (n1 - 1) : 0;
  const ss2 = n2 > 1 ? variance(current, 1) * (n2 - 1) : 0;
  const pooled = Math.sqrt((ss1 + ss2) / (n1 + n2 - 2));
  if (pooled === 0) throw new StatsError('INVALID_INPUT', 'cohensD is undefined when both samples are constant');
  return (mean(current) - mean(reference)) / pooled;
}

/**
 * Standardized mean shift (Glass's Δ): (mean(current) − mean(reference)) /
 * sd(reference), sd with ddof = 1. Uses only the reference spread, so a
 * variance change in `current` does not mask the shift.
 */
export function standardizedMeanShift(reference: NumericArray, current: NumericArray): number {
  assertFiniteSample(reference, 'reference');
  assertFiniteSample(current, 'current');
  if (reference.length < 2) throw new StatsError('INVALID_INPUT', 'reference needs at least 2 observations');
  const sd = Math.sqrt(variance(reference, 1));
  if (sd === 0) throw new StatsError('INVALID_INPUT', 'reference is constant: its standard deviation is 0');
  return (mean(current) - mean(reference)) / sd;
}
