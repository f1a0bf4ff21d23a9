import { describe, expect, it } from 'vitest';
import { countIntoBins, referenceEdgesAndCounts } from './psi-bins.js';

/** The definition by sorting: numpy's linear quantiles, deduplicated edges, (edge_i, edge_{i+1}] counts. */
function bySorting(ref: Float64Array, bins: number): { edges: number[]; counts: number[] } {
  const sorted = Float64Array.from(ref).sort();
  const n = sorted.length;
  const edges = [Number.NEGATIVE_INFINITY];
  for (let i = 1; i < bins; i++) {
    const virtual = (n - 1) * (i / bins);
    const below = Math.floor(virtual);
    const t = virtual - below;
    const a = sorted[below]!;
    const b = sorted[Math.min(below + 1, n - 1)]!;
    const edge = t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    if (edge !== edges.at(-1)) edges.push(edge);
  }
  edges.push(Number.POSITIVE_INFINITY);
  const upTo = (v: number): number => sorted.filter((x) => x <= v).length;
  return { edges, counts: edges.slice(1).map((e, i) => upTo(e) - upTo(edges[i]!)) };
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('referenceEdgesAndCounts equals the sort-based definition', () => {
  const rand = lcg(7);
  const cases: Array<[string, Float64Array]> = [
    ['normal-ish, bracketed path', Float64Array.from({ length: 300_000 }, () => rand() + rand() + rand())],
    ['few distinct values (ties at every edge)', Float64Array.from({ length: 200_000 }, () => Math.floor(rand() * 6) - 2.5)],
    ['signed zeros and a cluster gap', Float64Array.from({ length: 150_000 }, (_, i) => (i % 3 === 0 ? (i % 2 ? -0 : 0) : rand() < 0.5 ? -1e6 - rand() : 1e6 + rand()))],
    ['small, exact path', Float64Array.from({ length: 1_001 }, () => Math.tan((rand() - 0.5) * 3))],
  ];
  for (const [name, ref] of cases) {
    for (const bins of [2, 10, 37]) {
      it(`${name}, ${bins} bins`, () => {
        const want = bySorting(ref, bins);
        const got = referenceEdgesAndCounts(ref, bins);
        // ±0 tie order is unspecified (numpy's sort included); + 0 compares them as equal.
        expect(got.edges.map((e) => e + 0)).toEqual(want.edges.map((e) => e + 0));
        expect(Array.from(got.counts)).toEqual(want.counts);
      });
    }
  }
});

describe('countIntoBins', () => {
  it('puts values equal to an edge in the bin that edge closes, including extremes', () => {
    const inner = Float64Array.from([-1, 0, 1e300]);
    const values = Float64Array.from([-1e308, -1, -0.5, -0, 0, 1e-320, 1e300, 1.7e308]);
    expect(Array.from(countIntoBins(values, inner, 'current'))).toEqual([2, 3, 2, 1]);
  });

  it('counts everything into one bin when there are no inner edges', () => {
    expect(Array.from(countIntoBins(Float64Array.from([3, -2, 5]), new Float64Array(0), 'current'))).toEqual([3]);
  });
});
