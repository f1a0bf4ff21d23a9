/**
 * Ascending numeric sort of finite float64 values, in place: an LSD radix sort
 * on the IEEE-754 bit patterns (sign-flipped so unsigned order = numeric
 * order; −0 sorts before +0 as with Float64Array.prototype.sort). Linear time:
 * about 3–4× faster than V8's comparison sort at 10^6–10^7 elements, and the
 * worst case of sortedCopyFloat64 (below), which KS uses. Small arrays use
 * the built-in sort.
 */
const RADIX_MIN = 1 << 15;
const BITS = 16;
const BUCKETS = 1 << BITS;
const MASK = BUCKETS - 1;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN || !LITTLE_ENDIAN) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1]!;
    const l = words[2 * i]!;
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  const counts = new Uint32Array(4 * BUCKETS);
  for (let i = 0; i < n; i++) {
    const l = lo[i]!;
    const h = hi[i]!;
    counts[l & MASK]!++;
    counts[BUCKETS + (l >>> BITS)]!++;
    counts[2 * BUCKETS + (h & MASK)]!++;
    counts[3 * BUCKETS + (h >>> BITS)]!++;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * BUCKETS;
    const useHi = pass >= 2;
    const shift = pass % 2 === 0 ? 0 : BITS;
    // A digit shared by every key moves nothing: skip the pass.
    const first = ((useHi ? hi[0]! : lo[0]!) >>> shift) & MASK;
    if (counts[base + first] === n) continue;
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[base + b]!;
      counts[base + b] = sum;
      sum += c;
    }
    const key = useHi ? hi : lo;
    for (let i = 0; i < n; i++) {
      const pos = counts[base + ((key[i]! >>> shift) & MASK)]!++;
      lo2[pos] = lo[i]!;
      hi2[pos] = hi[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    if (h & 0x80000000) {
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      words[2 * i] = lo[i]!;
    } else {
      words[2 * i + 1] = ~h >>> 0;
      words[2 * i] = ~lo[i]! >>> 0;
    }
  }
  return values;
}

/** Below this size a copy plus sortFloat64 is as fast as distributing. */
const DISTRIBUTION_MIN = 1 << 16;
/** A range this small is distributed in one pass: its buckets stay in L2. */
const LOCAL_MAX = 1 << 15;
/** Coarse buckets of the first pass: few enough write streams for the TLB. */
const COARSE_BUCKETS = 2048;
/** Buckets up to this size are insertion-sorted in place. */
const INSERTION_MAX = 48;
/** Skewed data that is still lumped after this many coarse passes goes to sortFloat64. */
const MAX_DEPTH = 3;

/**
 * A sorted Float64Array copy of finite values (the input is not touched), by
 * distribution over equal-width value buckets: a coarse pass into 2,048
 * buckets, then each coarse bucket distributed again while it sits in cache
 * (about four values per fine bucket) and the fine buckets insertion-sorted.
 * At 10^7 bell-shaped values that is ~2.5× faster than copy + sortFloat64,
 * whose four 65,536-way scatters over the whole array miss cache and TLB.
 * The bucket of a value is floor((v − lo)·scale), monotone in v under IEEE
 * rounding, so buckets are ordered and equal values share one. Lumped data
 * (heavy ties, long tails) recurses; still lumped after a few levels, or
 * with −0 present (−0 must precede +0, which `<` cannot see), it falls back
 * to sortFloat64, so the worst case stays linear-time radix.
 */
export function sortedCopyFloat64(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  if (n < DISTRIBUTION_MIN) return sortFloat64(Float64Array.from(values));
  for (let i = 0; i < n; i++) {
    if (values[i] === 0 && 1 / values[i]! < 0) return sortFloat64(Float64Array.from(values));
  }
  const out = new Float64Array(n);
  distribute(values, 0, n, out, 0, 0);
  return out;
}

/** Sorts source[from, from + count) into target[at, at + count). */
function distribute(source: ArrayLike<number>, from: number, count: number, target: Float64Array, at: number, depth: number): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < from + count; i++) {
    const v = source[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  if (!(range > 0) || !Number.isFinite(range) || depth > MAX_DEPTH || count <= INSERTION_MAX) {
    for (let i = 0; i < count; i++) target[at + i] = source[from + i]!;
    if (range > 0) sortRange(target, at, at + count);
    return;
  }
  if (count <= LOCAL_MAX) {
    scatter(source, from, count, target, at, min, range, count >>> 2, true);
    return;
  }
  const coarse = new Float64Array(count);
  const starts = scatter(source, from, count, coarse, 0, min, range, COARSE_BUCKETS, false);
  for (let b = 0; b < COARSE_BUCKETS; b++) {
    const start = starts[b]!;
    const size = starts[b + 1]! - start;
    if (size > 0) distribute(coarse, start, size, target, at + start, depth + 1);
  }
}

/**
 * Counting-sort source[from, from + count) by bucket into target at `at`;
 * returns the bucket starts (relative to `at`), and with `finish` sorts
 * each bucket in place.
 */
function scatter(
  source: ArrayLike<number>, from: number, count: number, target: Float64Array, at: number,
  min: number, range: number, buckets: number, finish: boolean,
): Uint32Array {
  const scale = buckets / range;
  const last = buckets - 1;
  const starts = new Uint32Array(buckets + 1);
  const end = from + count;
  for (let i = from; i < end; i++) {
    const b = ((source[i]! - min) * scale) | 0;
    starts[(b > last ? last : b) + 1]!++;
  }
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const next = starts.slice(0, buckets);
  for (let i = from; i < end; i++) {
    const v = source[i]!;
    const b = ((v - min) * scale) | 0;
    target[at + next[b > last ? last : b]!++] = v;
  }
  if (finish) {
    for (let b = 0; b < buckets; b++) {
      const start = starts[b]!;
      if (starts[b + 1]! - start > 1) sortRange(target, at + start, at + starts[b + 1]!);
    }
  }
  return starts;
}

function sortRange(values: Float64Array, start: number, end: number): void {
  const size = end - start;
  if (size <= INSERTION_MAX) insertionSort(values, start, end);
  else sortFloat64(values.subarray(start, end));
}

function insertionSort(values: Float64Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= start && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
}
