/**
 * Binomial coefficient C(n, k) as a double, following `scipy.special.binom`
 * for integer arguments: for k < 20 (after symmetry) the same multiplicative
 * loop with the same 1e50 rescaling; above that the running product
 * C(n−k+i, i), which grows monotonically so it overflows to Infinity only when
 * the true value does (SciPy's `1/(n+1)/beta(...)` differs by a few ulps).
 */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let kx = k;
  if (kx > n / 2 && n > 0) kx = n - kx;
  if (kx < 20) {
    let num = 1;
    let den = 1;
    for (let i = 1; i < 1 + kx; i++) {
      num *= i + n - kx;
      den *= i;
      if (Math.abs(num) > 1e50) {
        num /= den;
        den = 1;
      }
    }
    return num / den;
  }
  let result = 1;
  for (let i = 1; i <= kx; i++) {
    result = (result * (n - kx + i)) / i;
    if (result === Number.POSITIVE_INFINITY) return result;
  }
  return result;
}
