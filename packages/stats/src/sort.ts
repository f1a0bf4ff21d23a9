/**
 * Ascending numeric sort of finite float64 values, in place: an LSD radix sort
 * on the IEEE-754 bit patterns (sign-flipped so unsigned order = numeric
 * order; −0 sorts before +0 as with Float64Array.prototype.sort). Linear time:
 * about 3–4× faster than V8's comparison sort at 10^6–10^7 elements, which is
 * what lets KS and PSI beat numpy's SIMD sort. Small arrays use the built-in sort.
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
