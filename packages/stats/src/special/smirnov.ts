/**
 * Survival function of the one-sided Kolmogorov–Smirnov statistic D+_n:
 * `scipy.special.smirnov(n, x)` (xsf `cephes/kolmogorov.h`, van Mulbregt 2018).
 *
 * Same case split, cut-overs and early-termination rule as SciPy: the
 * Birnbaum–Tingey / Smirnov lower sum
 *   P(D+_n > x) = x Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v),
 * the (alternating) upper sum when it has at most 3 terms, closed forms for
 * x <= 1/n and x >= 1 − 1/n, and the e^{−(6nx+1)²/18n} approximation for
 * n > 10^6. As in SciPy, the bases 1 − x − v/n and x + v/n and the binomial
 * are kept in double-double and each power as mantissa·2^exponent: the sum can
 * span ~10^6 terms whose factors lie far outside the double range.
 */
import { ddAddD, ddDivD, ddMul, frexp, ldexp, powScaled, twoSum, type DD } from './double-double.js';

const MINLOG = -7.08396418532264106224e2;
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
const LN2 = Math.LN2;
const EPS = Number.EPSILON;
const SPLITTER = 134217729; // 2^27 + 1, Dekker split

function power(base: DD, m: number): number {
  const p = powScaled(base, m);
  return ldexp(p.mantissa, p.exponent);
}

/** Exact floor(n·x) and fractional part α (n an integer < 2^26). */
function splitNX(n: number, x: number): { floor: number; alpha: number } {
  const c = SPLITTER * x;
  const hi = c - (c - x);
  const lo = x - hi;
  const a = n * hi; // exact: n < 2^26, hi has 26 bits
  const b = n * lo; // exact
  let fl = Math.floor(a);
  let alpha = a - fl + b;
  while (alpha < 0) {
    fl -= 1;
    alpha += 1;
  }
  while (alpha >= 1) {
    fl += 1;
    alpha -= 1;
  }
  return { floor: fl, alpha };
}

export function smirnovSurvival(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  const { floor: nxfl, alpha } = splitNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = power(twoSum(1, x), n - 1);
    return clamp01(1 - x * t);
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clamp01(power(twoSum(1, -x), n));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    if (logp < -LN2) return clamp01(Math.exp(logp));
    return clamp01(1 - -Math.expm1(logp));
  }

  const nUpperTerms = n - n1mxceil + 1;
  const useUpperSum =
    (nUpperTerms <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  const start = useUpperSum ? n : 0;
  const step = useUpperSum ? -1 : 1;
  const nTerms = useUpperSum ? n - n1mxceil + 1 : n1mxfl + 1;
  const vmid = Math.floor(n / 2);

  // j = 0 term, seeded as SciPy does: (1+x)^(n−1) for the upper sum, (1−x)^n / x for the lower.
  let sum = useUpperSum ? power(twoSum(1, x), n - 1) : power(twoSum(1, -x), n) / x;
  let comp = 0;
  // C(n, j) as double-double mantissa · 2^exponent (SciPy's updateBinomial).
  let cman: DD = { hi: 1, lo: 0 };
  let cexpt = 0;
  const updateBinomial = (j: number): void => {
    const man2 = ddMul(cman, ddDivD({ hi: n - j, lo: 0 }, j + 1));
    const f = frexp(man2.hi);
    const scale = 2 ** -f.exponent;
    cman = { hi: f.mantissa, lo: man2.lo * scale };
    cexpt += f.exponent;
  };
  updateBinomial(0);
  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step;
    const t2x = ddAddD(ddDivD({ hi: n - v, lo: 0 }, n), -x); // 1 − x − v/n
    const t1x = ddAddD(ddDivD({ hi: v, lo: 0 }, n), x); // x + v/n
    const t2 = powScaled(t2x, n - v);
    const t1 = powScaled(t1x, v - 1);
    const aj = ldexp(cman.hi * t1.mantissa * t2.mantissa, cexpt + t1.exponent + t2.exponent);
    if (Number.isFinite(aj) && aj !== 0) {
      const t = sum + aj;
      comp += Math.abs(sum) >= Math.abs(aj) ? sum - t + aj : aj - t + sum;
      sum = t;
    }
    if (aj !== 0) {
      if (4 * (nTerms - j) * Math.abs(aj) < EPS * (sum + comp) && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    updateBinomial(j);
  }
  const prob = x * (sum + comp);
  return clamp01(step < 0 ? 1 - prob : prob);
}

function clamp01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
