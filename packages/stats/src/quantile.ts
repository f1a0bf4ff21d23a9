/**
 * numpy's default quantile, `np.quantile(x, q, method='linear')` (Hyndman &
 * Fan type 7), on an ascending sorted array: virtual index (n−1)·q, and
 * numpy's `_lerp`, which interpolates from the upper neighbour when the
 * fraction is >= 0.5 so results match numpy bit for bit.
 * (simple-statistics' `quantileSorted` uses a different definition, so it is not used.)
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * q;
  const below = Math.floor(virtual);
  if (below >= n - 1) return sorted[n - 1]!;
  if (below < 0) return sorted[0]!;
  const a = sorted[below]!;
  const b = sorted[below + 1]!;
  const t = virtual - below;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
