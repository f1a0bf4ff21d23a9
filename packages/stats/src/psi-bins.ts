import { StatsError } from './errors.js';
import { selectRanks } from './select.js';

/**
 * The two O(n) passes behind PSI.
 *
 * `referenceEdgesAndCounts` finds numpy's linear-quantile edges and the
 * reference counts per bin in ONE pass over a large reference: order
 * statistics of a deterministic sample bracket every needed rank (±4.5
 * binomial SDs plus slack), one pass counts the values between brackets and
 * keeps those inside, and the exact order statistics are then selected from
 * the small kept set. If a rank or edge ever falls outside the brackets
 * (vanishingly unlikely) it falls back to an exact multi-select over the whole
 * sample. Results are exact either way: the order statistics numpy's sort gives.
 *
 * Both passes place a value with `Grid`: a uniform-grid table guesses its slot
 * among the sorted bounds, and comparisons against the bounds correct the
 * guess, so placement is exact whatever the rounding and the correcting
 * branches are almost never taken (unlike a binary search, whose branches are
 * coin flips on random data).
 */
const LARGE = 1 << 17;
const MAX_SAMPLE = 1 << 18;
const MIN_SAMPLE = 1 << 12;
const GRID = 4096;

export interface ReferenceBins {
  edges: number[];
  counts: Float64Array;
}

interface QuantilePlan {
  below: number;
  t: number;
}

export function referenceEdgesAndCounts(ref: Float64Array, bins: number): ReferenceBins {
  const n = ref.length;
  const plan: QuantilePlan[] = [];
  const ranks: number[] = [];
  for (let i = 1; i < bins; i++) {
    const virtual = (n - 1) * (i / bins);
    const below = Math.floor(virtual);
    plan.push({ below, t: virtual - below });
    ranks.push(below);
    if (below + 1 < n) ranks.push(below + 1);
  }
  if (n >= LARGE && ranks.length > 0) {
    const fast = bracketed(ref, plan, [...new Set(ranks)].sort((x, y) => x - y));
    if (fast) return fast;
  }
  assertAllFinite(ref, 'reference');
  const at = selectRanks(ref, ranks);
  const edges = edgesFrom(plan, n, (r) => at.get(r)!);
  return { edges, counts: countIntoBins(ref, Float64Array.from(edges.slice(1, -1)), 'reference') };
}

function edgesFrom(plan: QuantilePlan[], n: number, at: (rank: number) => number): number[] {
  const edges: number[] = [Number.NEGATIVE_INFINITY];
  for (const { below, t } of plan) {
    const a = at(below);
    const b = below + 1 < n ? at(below + 1) : a;
    const diff = b - a;
    // numpy's _lerp: interpolate from the upper neighbour when t >= 0.5.
    const edge = below >= n - 1 ? a : t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    if (edge !== edges[edges.length - 1]) edges.push(edge);
  }
  edges.push(Number.POSITIVE_INFINITY);
  return edges;
}

function sampleSize(n: number): number {
  let s = MIN_SAMPLE;
  while (s < MAX_SAMPLE && s * 16 < n) s *= 2;
  return s;
}

function bracketed(ref: Float64Array, plan: QuantilePlan[], ranks: number[]): ReferenceBins | undefined {
  const n = ref.length;
  const size = sampleSize(n);
  const sample = new Float64Array(size);
  let state = 0x9e3779b9;
  for (let k = 0; k < size; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    sample[k] = ref[Math.floor((state / 2 ** 32) * n)]!;
  }
  // Per rank a sample-index window, merged where windows overlap.
  const windows: Array<[number, number]> = [];
  for (const r of ranks) {
    const q = r / n;
    const centre = q * size;
    const margin = 4.5 * Math.sqrt(size * q * (1 - q)) + 16;
    const lo = Math.max(-1, Math.floor(centre - margin));
    const hi = Math.min(size, Math.ceil(centre + margin));
    const last = windows[windows.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else windows.push([lo, hi]);
  }
  const sampleRanks: number[] = [];
  for (const [lo, hi] of windows) {
    if (lo >= 0) sampleRanks.push(lo);
    if (hi < size) sampleRanks.push(hi);
  }
  const sampleAt = selectRanks(sample, sampleRanks);
  // Closed value intervals [lo, hi]; "b <= v" bounds: starts as-is, ends one ulp up.
  const m = windows.length;
  const lows = new Float64Array(m);
  const highs = new Float64Array(m);
  const bounds = new Float64Array(2 * m);
  let keptShare = 0;
  for (let j = 0; j < m; j++) {
    const [lo, hi] = windows[j]!;
    lows[j] = lo < 0 ? Number.NEGATIVE_INFINITY : sampleAt.get(lo)!;
    highs[j] = hi >= size ? Number.POSITIVE_INFINITY : sampleAt.get(hi)!;
    bounds[2 * j] = lows[j]!;
    bounds[2 * j + 1] = nextUp(highs[j]!);
    keptShare += (Math.min(hi, size - 1) - Math.max(lo, 0) + 1) / size;
  }
  const grid = gridOver(bounds);
  const { padded, table, origin, scale } = grid;
  const top = GRID - 1;
  // slotCounts[s] = #{v : s − 1 bounds are <= v}; even s = inside interval s/2 − 1.
  const slotCounts = new Float64Array(2 * m + 2);
  let kept = new Float64Array(Math.ceil(keptShare * n * 1.25) + 1024);
  let keptLength = 0;
  for (let k = 0; k < n; k++) {
    const v = ref[k]!;
    if (v - v !== 0) throw notFinite('reference', k, v);
    let x = (v - origin) * scale;
    x = x > 0 ? x : 0;
    x = x < top ? x : top;
    let s = table[x | 0]!;
    while (padded[s]! <= v) s++;
    while (padded[s - 1]! > v) s--;
    slotCounts[s]!++;
    if ((s & 1) === 0) {
      if (keptLength === kept.length) {
        const grown = new Float64Array(kept.length * 2);
        grown.set(kept);
        kept = grown;
      }
      kept[keptLength++] = v;
    }
  }
  // gapsUpTo[j] = values below interval j; before[j] = all values below interval j.
  const gapsUpTo = new Float64Array(m);
  const before = new Float64Array(m);
  const inside = new Float64Array(m);
  let gaps = 0;
  let all = 0;
  for (let j = 0; j < m; j++) {
    gaps += slotCounts[2 * j + 1]!;
    all += slotCounts[2 * j + 1]!;
    gapsUpTo[j] = gaps;
    before[j] = all;
    inside[j] = slotCounts[2 * j + 2]!;
    all += inside[j]!;
  }
  const intervalOfRank = (rank: number): number => {
    for (let j = 0; j < m; j++) if (rank >= before[j]! && rank < before[j]! + inside[j]!) return j;
    return -1;
  };
  const keptRanks: number[] = [];
  for (const r of ranks) {
    const j = intervalOfRank(r);
    if (j < 0) return undefined;
    keptRanks.push(r - gapsUpTo[j]!);
  }
  const keptValues = kept.subarray(0, keptLength);
  const keptAt = selectRanks(keptValues, keptRanks);
  const edges = edgesFrom(plan, n, (r) => keptAt.get(r - gapsUpTo[intervalOfRank(r)]!)!);

  // Every finite edge lies between two kept order statistics, hence inside an interval:
  // #{v <= edge} = gaps below that interval + kept values <= edge.
  const inner = Float64Array.from(edges.slice(1, -1));
  const keptPerBin = countIntoBins(keptValues, inner, 'reference');
  const counts = new Float64Array(inner.length + 1);
  let previous = 0;
  let keptUpTo = 0;
  for (let i = 0; i < inner.length; i++) {
    const edge = inner[i]!;
    keptUpTo += keptPerBin[i]!;
    let j = 0;
    while (j < m && !(lows[j]! <= edge && edge <= highs[j]!)) j++;
    if (j === m) return undefined;
    const upTo = gapsUpTo[j]! + keptUpTo;
    counts[i] = upTo - previous;
    previous = upTo;
  }
  counts[inner.length] = n - previous;
  return { edges, counts };
}

interface Grid {
  /** The bounds between −∞ and +∞ sentinels, so the correcting loops need no index checks. */
  padded: Float64Array;
  /** table[c] = 1 + #{bounds <= start of cell c}: the guessed slot for values in cell c. */
  table: Int32Array;
  origin: number;
  scale: number;
}

/** A grid spanning the finite bounds plus their span again on each side, so few values clamp. */
function gridOver(bounds: Float64Array): Grid {
  const m = bounds.length;
  const padded = new Float64Array(m + 2);
  padded[0] = Number.NEGATIVE_INFINITY;
  padded.set(bounds, 1);
  padded[m + 1] = Number.POSITIVE_INFINITY;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) {
    const b = bounds[i]!;
    if (b - b === 0) {
      if (b < first) first = b;
      if (b > last) last = b;
    }
  }
  let origin = 0;
  let width = 1;
  if (first <= last) {
    const span = last - first;
    width = span > 0 ? (3 * span) / GRID : (2 * Math.max(Math.abs(first), 1)) / GRID;
    origin = span > 0 ? first - span : first - (GRID / 2) * width;
  }
  const table = new Int32Array(GRID);
  let s = 1;
  for (let c = 0; c < GRID; c++) {
    const start = origin + c * width;
    while (s <= m && padded[s]! <= start) s++;
    table[c] = s;
  }
  return { padded, table, origin, scale: 1 / width };
}

const scratch = new Float64Array(1);
const scratchBits = new BigInt64Array(scratch.buffer);
function nextUp(x: number): number {
  if (x === Number.POSITIVE_INFINITY || Number.isNaN(x)) return x;
  if (x === 0) return Number.MIN_VALUE;
  scratch[0] = x;
  scratchBits[0] = scratchBits[0]! + (x > 0 ? 1n : -1n);
  return scratch[0]!;
}

function notFinite(name: string, index: number, value: number): StatsError {
  return new StatsError('INVALID_INPUT', `${name}[${index}] is ${value}; every value must be a finite number`, {
    details: { argument: name, index },
  });
}

function assertAllFinite(values: Float64Array, name: string): void {
  for (let k = 0; k < values.length; k++) if (values[k]! - values[k]! !== 0) throw notFinite(name, k, values[k]!);
}

/** counts[i] = #{v : inner[i−1] < v <= inner[i]}, validating finiteness in the same pass. */
export function countIntoBins(values: Float64Array, inner: Float64Array, name: string): Float64Array {
  // v > edge ⇔ nextUp(edge) <= v, so the grid's "bound <= v" slots are the bins.
  const { padded, table, origin, scale } = gridOver(inner.map(nextUp));
  const top = GRID - 1;
  const slotCounts = new Float64Array(inner.length + 2);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v - v !== 0) throw notFinite(name, k, v);
    let x = (v - origin) * scale;
    x = x > 0 ? x : 0;
    x = x < top ? x : top;
    let s = table[x | 0]!;
    while (padded[s]! <= v) s++;
    while (padded[s - 1]! > v) s--;
    slotCounts[s]!++;
  }
  return slotCounts.subarray(1);
}
