import { StatsError } from './errors.js';
import { selectRanks } from './select.js';

/**
 * The two O(n) passes behind PSI on large samples.
 *
 * `referenceEdgesAndCounts` finds numpy's linear-quantile edges and the
 * reference counts per bin in ONE pass over the reference: a sorted
 * deterministic sample of 2^18 values brackets every needed order statistic
 * (±4.5 binomial SDs plus slack), one pass counts the values below each
 * bracket and keeps those inside, and the exact order statistics are then
 * selected from the small kept sets. If a rank ever falls outside its bracket
 * (vanishingly unlikely) it falls back to an exact multi-select. Results are
 * exact either way: the same order statistics numpy's sort would give.
 */
const SAMPLE = 1 << 18;
const LARGE = 1 << 20;

export interface ReferenceBins {
  edges: number[];
  counts: Float64Array;
}

export function referenceEdgesAndCounts(ref: Float64Array, bins: number): ReferenceBins {
  const n = ref.length;
  const plan: Array<{ below: number; t: number }> = [];
  const ranks: number[] = [];
  for (let i = 1; i < bins; i++) {
    const virtual = (n - 1) * (i / bins);
    const below = Math.floor(virtual);
    plan.push({ below, t: virtual - below });
    ranks.push(below);
    if (below + 1 < n) ranks.push(below + 1);
  }
  if (n >= LARGE) {
    const fast = bracketedOrderStatistics(ref, ranks);
    if (fast) {
      const edges = edgesFrom(plan, n, (r) => fast.value(r));
      const counts = fast.countsFor(edges);
      if (counts) return { edges, counts };
    }
  }
  assertAllFinite(ref, 'reference');
  const at = selectRanks(ref, ranks);
  const edges = edgesFrom(plan, n, (r) => at.get(r)!);
  return { edges, counts: countIntoBins(ref, Float64Array.from(edges.slice(1, -1)), 'reference') };
}

function edgesFrom(plan: Array<{ below: number; t: number }>, n: number, at: (rank: number) => number): number[] {
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

interface Bracketed {
  value(rank: number): number;
  countsFor(edges: number[]): Float64Array | undefined;
}

function bracketedOrderStatistics(ref: Float64Array, ranks: number[]): Bracketed | undefined {
  const n = ref.length;
  const sample = new Float64Array(SAMPLE);
  let state = 0x9e3779b9;
  for (let k = 0; k < SAMPLE; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    sample[k] = ref[Math.floor((state / 2 ** 32) * n)]!;
  }
  sample.sort();
  // Bracket per rank, merged where they overlap, as closed intervals [lo, hi].
  const intervals: Array<[number, number]> = [];
  for (const r of [...new Set(ranks)].sort((x, y) => x - y)) {
    const q = r / n;
    const centre = q * SAMPLE;
    const margin = 4.5 * Math.sqrt(SAMPLE * q * (1 - q)) + 16;
    const loIdx = Math.floor(centre - margin);
    const hiIdx = Math.ceil(centre + margin);
    const lo = loIdx < 0 ? Number.NEGATIVE_INFINITY : sample[loIdx]!;
    const hi = hiIdx >= SAMPLE ? Number.POSITIVE_INFINITY : sample[hiIdx]!;
    const last = intervals[intervals.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else intervals.push([lo, hi]);
  }
  // Boundaries b with "b <= v": interval starts as-is, ends moved one ulp up.
  const m = intervals.length;
  const bounds = new Float64Array(64).fill(Number.POSITIVE_INFINITY);
  intervals.forEach(([lo, hi], j) => {
    bounds[2 * j] = lo;
    bounds[2 * j + 1] = nextUp(hi);
  });
  const gapCounts = new Float64Array(m + 1);
  const kept: number[][] = intervals.map(() => []);
  for (let k = 0; k < n; k++) {
    const v = ref[k]!;
    if (v - v !== 0) throw notFinite('reference', k, v);
    let s = bounds[31]! <= v ? 32 : 0;
    s += bounds[s + 15]! <= v ? 16 : 0;
    s += bounds[s + 7]! <= v ? 8 : 0;
    s += bounds[s + 3]! <= v ? 4 : 0;
    s += bounds[s + 1]! <= v ? 2 : 0;
    s += bounds[s]! <= v ? 1 : 0;
    if (s & 1) kept[s >> 1]!.push(v);
    else gapCounts[s >> 1]!++;
  }
  const before: number[] = [];
  let running = 0;
  for (let j = 0; j < m; j++) {
    running += gapCounts[j]!;
    before.push(running);
    running += kept[j]!.length;
  }
  const sortedKept = kept.map((values) => Float64Array.from(values).sort());
  const bracketOf = (rank: number): number => {
    for (let j = 0; j < m; j++) if (rank >= before[j]! && rank < before[j]! + sortedKept[j]!.length) return j;
    return -1;
  };
  for (const r of ranks) if (bracketOf(r) < 0) return undefined;
  return {
    value: (rank) => {
      const j = bracketOf(rank);
      return sortedKept[j]![rank - before[j]!]!;
    },
    countsFor: (edges) => {
      // Every finite edge lies between two kept order statistics, hence inside a bracket:
      // count(<= edge) = values below that bracket + kept values <= edge.
      const counts = new Float64Array(edges.length - 1);
      let previous = 0;
      for (let i = 1; i < edges.length; i++) {
        const edge = edges[i]!;
        let upTo = edge === Number.POSITIVE_INFINITY ? n : -1;
        for (let j = 0; j < m && upTo < 0; j++) {
          const [lo, hi] = intervals[j]!;
          if (lo <= edge && edge <= hi) upTo = before[j]! + upperBound(sortedKept[j]!, edge);
        }
        if (upTo < 0) return undefined;
        counts[i - 1] = upTo - previous;
        previous = upTo;
      }
      return counts;
    },
  };
}

function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  const counts = new Float64Array(inner.length + 1);
  const m = inner.length;
  if (m <= 15) {
    // Few edges: a fixed four-step branch-free binary search over edges padded with +∞.
    const padded = new Float64Array(16).fill(Number.POSITIVE_INFINITY);
    padded.set(inner);
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (v - v !== 0) throw notFinite(name, k, v);
      let idx = padded[7]! < v ? 8 : 0;
      idx += padded[idx + 3]! < v ? 4 : 0;
      idx += padded[idx + 1]! < v ? 2 : 0;
      idx += padded[idx]! < v ? 1 : 0;
      counts[idx]!++;
    }
    return counts;
  }
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v - v !== 0) throw notFinite(name, k, v);
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (inner[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]!++;
  }
  return counts;
}
