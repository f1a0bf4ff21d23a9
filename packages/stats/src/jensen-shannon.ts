import { StatsError } from './errors.js';
import { assertFiniteSample, type NumericArray } from './validate.js';

export interface JensenShannonOptions {
  /** Logarithm base; e.g. 2 bounds the distance by 1. @defaultValue Math.E (natural log) */
  base?: number;
}

/**
 * Jensen–Shannon DISTANCE (square root of the divergence), as
 * `scipy.spatial.distance.jensenshannon(p, q, base)`: p and q are normalized
 * to sum to 1, m = (p + q)/2, JS = sqrt((KL(p‖m) + KL(q‖m)) / 2 / ln(base)),
 * with SciPy's `rel_entr` convention 0·ln(0/m) = 0 (Lin 1991; Endres &
 * Schindelin 2003). Inputs must be non-negative, same length, positive sums.
 */
export function jensenShannon(p: NumericArray, q: NumericArray, options: JensenShannonOptions = {}): number {
  assertFiniteSample(p, 'p');
  assertFiniteSample(q, 'q');
  if (p.length !== q.length) throw new StatsError('INVALID_INPUT', `p and q must have the same length (${p.length} != ${q.length})`);
  const base = options.base;
  if (base !== undefined && !(Number.isFinite(base) && base > 0 && base !== 1)) {
    throw new StatsError('INVALID_OPTION', `base must be a positive number other than 1; got ${base}`);
  }
  const sp = sumNonNegative(p, 'p');
  const sq = sumNonNegative(q, 'q');
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = (p[i] as number) / sp;
    const qi = (q[i] as number) / sq;
    const m = (pi + qi) / 2.0;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  let js = left + right;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2.0);
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

function sumNonNegative(values: NumericArray, name: string): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < 0) throw new StatsError('INVALID_INPUT', `${name}[${i}] is negative; probabilities and counts must be >= 0`);
    s += v;
  }
  if (!(s > 0)) throw new StatsError('INVALID_INPUT', `${name} must have a positive sum`);
  return s;
}
