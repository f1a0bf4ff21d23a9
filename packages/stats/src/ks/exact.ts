/**
 * Exact null distribution of the two-sample Smirnov statistic, ported from
 * SciPy's `scipy/stats/_stats_py.py` (`_compute_prob_outside_square`,
 * `_count_paths_outside_method`, `_attempt_exact_2kssamp`) and
 * `_stats_pythran.py` (`_compute_outer_prob_inside_method`).
 *
 * References: Hodges, J.L. Jr. (1958), "The Significance Probability of the
 * Smirnov Two-Sample Test", Arkiv för Matematik 3(43), 469–486; Viehmann, T.
 * (2021), "Numerically more stable computation of the p-values for the
 * two-sample Kolmogorov-Smirnov test", arXiv:2102.08037.
 */
import { binomial } from '../special/binomial.js';

export type Alternative = 'two-sided' | 'less' | 'greater';

export interface ExactAttempt {
  success: boolean;
  /** The statistic snapped to the lattice: round(d·lcm)/lcm (SciPy returns it even on failure). */
  d: number;
  prob: number;
}

/** Python's floor division for integers. */
function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** numpy `np.round`: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** Pr(D_{n,n} >= h/n), Horner-like form that avoids subtractive cancellation. */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0.0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1.0;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1.0 - P);
    k -= 1;
  }
  return 2 * P;
}

/** Proportion of lattice paths that do not stay strictly inside |x/m − y/n| < h/lcm (Viehmann's 1 − p recursion). */
export function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = floorDiv(m, g);
  const ng = floorDiv(n, g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, Math.min(maxj, lenA));
  for (let i = 1; i < m + 1; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
    }
  }
  return A[maxj - minj - 1]!;
}

/**
 * Number of lattice paths from (0,0) to (m,n) that go below m·y <= n·x − h·g
 * (Hodges' treatment of Drion/Gnedenko/Korolyuk). May overflow: callers check
 * for a finite result, as SciPy does under `np.errstate(over='raise')`.
 */
export function countPathsOutside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = floorDiv(m, g);
  const ng = floorDiv(n, g);
  const lxj = n + floorDiv(mg - h, mg);
  if (lxj <= 0) return binomial(m + n, n);
  const xj = new Float64Array(lxj);
  for (let j = 0; j < lxj; j++) xj[j] = floorDiv(h + mg * j + ng - 1, ng);
  const B = new Float64Array(lxj);
  B[0] = 1;
  for (let j = 1; j < lxj; j++) {
    let Bj = binomial(xj[j]! + j, j);
    for (let i = 0; i < j; i++) {
      Bj -= binomial(xj[j]! - xj[i]! + j - i, j - i) * B[i]!;
    }
    if (!Number.isFinite(Bj)) return Number.NaN;
    B[j] = Bj;
  }
  let numPaths = 0;
  for (let j = 0; j < lxj; j++) {
    numPaths += B[j]! * binomial(m - xj[j]! + (n - j), n - j);
    if (!Number.isFinite(numPaths)) return Number.NaN;
  }
  return numPaths;
}

/** SciPy's `_attempt_exact_2kssamp`: exact p-value or a signal to fall back to the asymptotic one. */
export function attemptExact(n1: number, n2: number, g: number, d0: number, alternative: Alternative): ExactAttempt {
  const lcm = floorDiv(n1, g) * n2;
  const h = roundHalfEven(d0 * lcm);
  const d = (h * 1.0) / lcm;
  if (h === 0) return { success: true, d, prob: 1.0 };
  let prob: number;
  if (alternative === 'two-sided') {
    prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
  } else if (n1 === n2) {
    // binom(2n, n−h)/binom(2n, n) evaluated as a product to avoid binom's round-off.
    prob = 1;
    for (let j = 0; j < h; j++) prob *= (n1 - j) / (n1 + j + 1.0);
  } else {
    const numPaths = countPathsOutside(n1, n2, g, h);
    const bin = binomial(n1 + n2, n1);
    if (Number.isNaN(numPaths) || !Number.isFinite(bin) || numPaths > bin) return { success: false, d, prob: Number.NaN };
    prob = numPaths / bin;
  }
  if (!Number.isFinite(prob)) return { success: false, d, prob: Number.NaN };
  if (!(prob >= 0 && prob <= 1)) return { success: false, d, prob };
  return { success: true, d, prob };
}
