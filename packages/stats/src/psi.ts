import { countIntoBins, referenceEdgesAndCounts } from './psi-bins.js';
import { assertFiniteSample, assertOption, type NumericArray } from './validate.js';

export interface PsiOptions {
  /** Number of equal-frequency bins before duplicate edges are dropped. @defaultValue 10 */
  bins?: number;
  /** Floor for each bin's proportion, so empty bins give a finite log ratio. @defaultValue 1e-4 */
  epsilon?: number;
}

export interface PsiBin {
  /** Exclusive lower edge (−Infinity for the first bin). */
  lower: number;
  /** Inclusive upper edge (+Infinity for the last bin). */
  upper: number;
  referenceCount: number;
  currentCount: number;
  /** max(referenceCount / nReference, epsilon). */
  referenceProportion: number;
  /** max(currentCount / nCurrent, epsilon). */
  currentProportion: number;
  /** (current − reference) · ln(current / reference). */
  contribution: number;
}

export interface PsiResult {
  value: number;
  bins: PsiBin[];
}

/**
 * Population Stability Index of `current` against `reference`.
 *
 * Method: edges are the reference's quantiles at i/bins, i = 1…bins−1, with
 * numpy's default linear interpolation (`np.quantile(ref, q, method='linear')`),
 * duplicate edges dropped, outer edges −∞ and +∞; bin i is (edge_i, edge_{i+1}].
 * No sort: the 2·(bins−1) order statistics the edges need are selected exactly
 * (psi-bins.ts), and each value is placed by binary search among the edges:
 * O(n log bins). Proportions are floored at
 * `epsilon`; PSI = Σ (c − r)·ln(c / r) (Siddiqi, "Credit Risk Scorecards", 2006;
 * Yurdakul 2018). There is no SciPy PSI; the reference values come from the
 * same definition written in numpy (reference/generate.py).
 */
export function psi(reference: NumericArray, current: NumericArray, options: PsiOptions = {}): PsiResult {
  const bins = options.bins ?? 10;
  const epsilon = options.epsilon ?? 1e-4;
  assertOption(Number.isInteger(bins) && bins >= 1, `bins must be an integer >= 1; got ${bins}`);
  assertOption(Number.isFinite(epsilon) && epsilon > 0 && epsilon < 1, `epsilon must be in (0, 1); got ${epsilon}`);
  const ref = asFloat64(reference, 'reference');
  const cur = asFloat64(current, 'current');

  const { edges, counts: refCounts } = referenceEdgesAndCounts(ref, bins);
  const curCounts = countIntoBins(cur, Float64Array.from(edges.slice(1, -1)), 'current');

  const result: PsiBin[] = [];
  let value = 0;
  for (let i = 0; i + 1 < edges.length; i++) {
    const referenceCount = refCounts[i]!;
    const currentCount = curCounts[i]!;
    const referenceProportion = Math.max(referenceCount / ref.length, epsilon);
    const currentProportion = Math.max(currentCount / cur.length, epsilon);
    const contribution = (currentProportion - referenceProportion) * Math.log(currentProportion / referenceProportion);
    value += contribution;
    result.push({ lower: edges[i]!, upper: edges[i + 1]!, referenceCount, currentCount, referenceProportion, currentProportion, contribution });
  }
  return { value, bins: result };
}

/** Float64Array inputs are validated inside the counting passes; arrays are checked up front. */
function asFloat64(values: NumericArray, name: string): Float64Array {
  if (values instanceof Float64Array) {
    if (values.length === 0) assertFiniteSample(values, name);
    return values;
  }
  assertFiniteSample(values, name);
  return Float64Array.from(values);
}
