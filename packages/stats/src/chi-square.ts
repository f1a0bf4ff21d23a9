import { StatsError } from './errors.js';
import { chiSquareSurvival } from './special/gamma.js';
import { assertFiniteSample, type NumericArray } from './validate.js';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  /** k − 1 for a 2×k table. */
  dof: number;
}

/**
 * Pearson chi-square test of homogeneity on the 2×k table
 * [referenceCounts; currentCounts], as
 * `scipy.stats.chi2_contingency(table, correction=False)`: expected_ij =
 * row_i·col_j / total, statistic = Σ (o − e)²/e, p = chi2.sf(statistic, k − 1)
 * (regularized upper incomplete gamma). With k = 1 (dof 0) SciPy returns
 * statistic 0 and p 1; so does this. No Yates correction is applied (SciPy
 * applies it only for dof 1 with correction=True).
 *
 * Where SciPy raises ValueError for a zero expected frequency (a bin empty in
 * both samples, or an all-zero row), this throws `StatsError`
 * ZERO_EXPECTED_FREQUENCY naming the column: drop or merge such bins first.
 */
export function chiSquare(referenceCounts: NumericArray, currentCounts: NumericArray): ChiSquareResult {
  assertFiniteSample(referenceCounts, 'referenceCounts');
  assertFiniteSample(currentCounts, 'currentCounts');
  const k = referenceCounts.length;
  if (currentCounts.length !== k) {
    throw new StatsError('INVALID_INPUT', `referenceCounts and currentCounts must have the same length (${k} != ${currentCounts.length})`);
  }
  const rows = [referenceCounts, currentCounts] as const;
  const rowSums = [0, 0];
  const colSums = new Float64Array(k);
  for (let r = 0; r < 2; r++) {
    const row = rows[r]!;
    for (let j = 0; j < k; j++) {
      const o = row[j] as number;
      if (o < 0) throw new StatsError('INVALID_INPUT', `${r === 0 ? 'referenceCounts' : 'currentCounts'}[${j}] is negative`);
      rowSums[r]! += o;
      colSums[j]! += o;
    }
  }
  const total = rowSums[0]! + rowSums[1]!;
  for (let r = 0; r < 2; r++) {
    for (let j = 0; j < k; j++) {
      if ((rowSums[r]! * colSums[j]!) / total === 0) {
        throw new StatsError(
          'ZERO_EXPECTED_FREQUENCY',
          `expected frequency is zero at (${r}, ${j}): ` +
            (colSums[j] === 0 ? `column ${j} is zero in both samples` : `${r === 0 ? 'referenceCounts' : 'currentCounts'} sums to zero`),
          { details: { row: r, column: j } },
        );
      }
    }
  }
  const dof = k - 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof };
  let statistic = 0;
  for (let r = 0; r < 2; r++) {
    const row = rows[r]!;
    for (let j = 0; j < k; j++) {
      const expected = (rowSums[r]! * colSums[j]!) / total;
      const diff = (row[j] as number) - expected;
      statistic += (diff * diff) / expected;
    }
  }
  return { statistic, pValue: chiSquareSurvival(statistic, dof), dof };
}
