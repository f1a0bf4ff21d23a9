/**
 * Order statistics without a full sort: `selectRanks(values, ranks)` returns
 * the values that would sit at each 0-based rank after an ascending sort.
 * Hoare-partition multi-quickselect with median-of-three pivots on a copy;
 * falls back to sorting a range when recursion runs too deep (introselect),
 * so the worst case stays O(n log n). Used by PSI, which needs 2·(bins−1) order statistics.
 */
export function selectRanks(values: Float64Array, ranks: readonly number[]): Map<number, number> {
  const a = Float64Array.from(values);
  const wanted = [...new Set(ranks)].sort((x, y) => x - y);
  multiSelect(a, 0, a.length - 1, wanted, 0, wanted.length - 1, 2 * Math.ceil(Math.log2(a.length + 2)) + 8);
  return new Map(wanted.map((k) => [k, a[k]!]));
}

/**
 * Places every rank in wanted[from..to] (all inside [lo, hi]) at its sorted
 * position: partition once, then recurse only into the sides holding ranks,
 * so the cost is about n·log2(#ranks) instead of one full select per rank.
 */
function multiSelect(a: Float64Array, lo: number, hi: number, wanted: number[], from: number, to: number, budget: number): void {
  if (from > to || hi <= lo) return;
  if (budget <= 0) {
    a.subarray(lo, hi + 1).sort();
    return;
  }
  const { i, j } = partition(a, lo, hi);
  // After partition: [lo, j] <= pivot, (j, i) == pivot, [i, hi] >= pivot.
  let split = from;
  while (split <= to && wanted[split]! <= j) split++;
  multiSelect(a, lo, j, wanted, from, split - 1, budget - 1);
  let right = split;
  while (right <= to && wanted[right]! < i) right++;
  multiSelect(a, i, hi, wanted, right, to, budget - 1);
}

function partition(a: Float64Array, lo: number, hi: number): { i: number; j: number } {
  const mid = lo + ((hi - lo) >> 1);
  const x = a[lo]!;
  const y = a[mid]!;
  const z = a[hi]!;
  const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
  let i = lo;
  let j = hi;
  while (i <= j) {
    while (a[i]! < pivot) i++;
    while (a[j]! > pivot) j--;
    if (i <= j) {
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
      i++;
      j--;
    }
  }
  return { i, j };
}
