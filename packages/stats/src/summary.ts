import type { NumericArray } from './validate.js';

/**
 * Neumaier-compensated sum. numpy sums pairwise; both are accurate to a few
 * ulps, so results agree with numpy far inside the 1e-9 tolerance we promise.
 */
export function sum(values: NumericArray): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Arithmetic mean (numpy `np.mean`). */
export function mean(values: NumericArray): number {
  return sum(values) / values.length;
}

/** Variance with `ddof` delta degrees of freedom, two-pass (numpy `np.var(x, ddof)`). */
export function variance(values: NumericArray, ddof = 1): number {
  const m = mean(values);
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const d = (values[i] as number) - m;
    const v = d * d;
    const t = s + v;
    c += s >= v ? s - t + v : v - t + s;
    s = t;
  }
  return (s + c) / (values.length - ddof);
}

/** Sample standard deviation, `ddof = 1` by default (numpy `np.std(x, ddof=1)`). */
export function standardDeviation(values: NumericArray, ddof = 1): number {
  return Math.sqrt(variance(values, ddof));
}
