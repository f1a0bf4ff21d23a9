import { StatsError } from './errors.js';
import { assertFiniteSample, type NumericArray } from './validate.js';

/**
 * First Wasserstein (earth mover's) distance between two 1-D empirical
 * distributions, as `scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)`:
 * ∫ |U(t) − V(t)| dt over the merged sorted support, with U, V the (weighted)
 * ECDFs evaluated right-continuously (Ramdas, Garcia & Cuturi 2017).
 * Weights must be finite, non-negative, with a positive sum.
 */
export function wasserstein1(
  u: NumericArray,
  v: NumericArray,
  uWeights?: NumericArray,
  vWeights?: NumericArray,
): number {
  const su = sortedWithCumulativeWeights(u, uWeights, 'u', 'uWeights');
  const sv = sortedWithCumulativeWeights(v, vWeights, 'v', 'vWeights');
  const nu = su.values.length;
  const nv = sv.values.length;
  let i = 0;
  let j = 0;
  let total = 0;
  let comp = 0;
  let previous = Math.min(su.values[0]!, sv.values[0]!);
  // Walk the merged support; between consecutive points both ECDFs are constant.
  while (i < nu || j < nv) {
    const next = Math.min(i < nu ? su.values[i]! : Number.POSITIVE_INFINITY, j < nv ? sv.values[j]! : Number.POSITIVE_INFINITY);
    const uCdf = su.cumulative[i]! / su.cumulative[nu]!;
    const vCdf = sv.cumulative[j]! / sv.cumulative[nv]!;
    const term = Math.abs(uCdf - vCdf) * (next - previous);
    const t = total + term;
    comp += Math.abs(total) >= Math.abs(term) ? total - t + term : term - t + total;
    total = t;
    while (i < nu && su.values[i] === next) i++;
    while (j < nv && sv.values[j] === next) j++;
    previous = next;
  }
  return total + comp;
}

function sortedWithCumulativeWeights(
  values: NumericArray,
  weights: NumericArray | undefined,
  name: string,
  weightsName: string,
): { values: Float64Array; cumulative: Float64Array } {
  assertFiniteSample(values, name);
  const n = values.length;
  if (weights === undefined) {
    const sorted = Float64Array.from(values).sort();
    const cumulative = new Float64Array(n + 1);
    for (let k = 0; k <= n; k++) cumulative[k] = k;
    return { values: sorted, cumulative };
  }
  assertFiniteSample(weights, weightsName);
  if (weights.length !== n) {
    throw new StatsError('INVALID_INPUT', `${weightsName} must have the same length as ${name} (${weights.length} != ${n})`);
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => (values[a] as number) - (values[b] as number));
  const sorted = new Float64Array(n);
  const cumulative = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) {
    const w = weights[order[k]!] as number;
    if (w < 0) throw new StatsError('INVALID_INPUT', `${weightsName} must be non-negative`);
    sorted[k] = values[order[k]!] as number;
    cumulative[k + 1] = cumulative[k]! + w;
  }
  if (!(cumulative[n]! > 0)) throw new StatsError('INVALID_INPUT', `${weightsName} must have a positive sum`);
  return { values: sorted, cumulative };
}
