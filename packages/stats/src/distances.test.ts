import { describe, expect, it } from 'vitest';
import { chiSquare } from './chi-square.js';
import { jensenShannon } from './jensen-shannon.js';
import { psi } from './psi.js';
import { expectClose, reference } from './testing/scipy-reference.js';
import { wasserstein1 } from './wasserstein.js';

describe('psi matches the numpy reference definition', () => {
  for (const c of reference.psi) {
    it(c.name, () => {
      const got = psi(c.reference, Float64Array.from(c.current), { bins: c.bins, epsilon: c.epsilon });
      expect(got.bins.map((b) => b.lower).concat(got.bins.at(-1)!.upper)).toEqual(c.edges);
      expect(got.bins.map((b) => b.referenceCount)).toEqual(c.referenceCounts);
      expect(got.bins.map((b) => b.currentCount)).toEqual(c.currentCounts);
      got.bins.forEach((b, i) => expectClose(b.contribution, c.contributions[i], `contribution[${i}]`));
      expectClose(got.value, c.value, 'psi');
    });
  }

  it('bins are (lower, upper]: a value equal to an edge counts in the lower bin', () => {
    const got = psi([1, 2, 3, 4], [2, 2.0000001], { bins: 2 });
    expect(got.bins.map((b) => [b.lower, b.upper, b.currentCount])).toEqual([
      [Number.NEGATIVE_INFINITY, 2.5, 2],
      [2.5, Number.POSITIVE_INFINITY, 0],
    ]);
    expect(got.bins[1]!.currentProportion).toBe(1e-4);
  });

  it('rejects bad options and inputs by code', () => {
    expect(() => psi([1, 2], [1], { bins: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => psi([1, 2], [1], { epsilon: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => psi([], [1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('reference') }));
    expect(() => psi([1], [Number.NaN])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('current') }));
  });
});

describe('wasserstein1 = scipy.stats.wasserstein_distance', () => {
  for (const c of reference.wasserstein) {
    it(c.name, () => {
      const got = c.uWeights ? wasserstein1(c.u, c.v, c.uWeights, c.vWeights) : wasserstein1(Float64Array.from(c.u), c.v);
      expectClose(got, c.value, 'wasserstein');
    });
  }
  it('rejects mismatched or negative weights', () => {
    expect(() => wasserstein1([1, 2], [1], [1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => wasserstein1([1, 2], [1], [1, -1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('jensenShannon = scipy.spatial.distance.jensenshannon', () => {
  for (const c of reference.jensenShannon) {
    it(c.name, () => {
      expectClose(jensenShannon(c.p, c.q, { base: 2 }), c.base2, 'base 2');
      expectClose(jensenShannon(c.p, c.q), c.baseE, 'base e');
      expectClose(jensenShannon(Float64Array.from(c.p), c.q, { base: Math.E }), c.baseE, 'base e explicit');
      expectClose(jensenShannon(c.p, c.q, { base: 10 }), c.base10, 'base 10');
    });
  }
  it('rejects negative entries, zero sums and bad bases', () => {
    expect(() => jensenShannon([1, -1], [1, 1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => jensenShannon([0, 0], [1, 1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => jensenShannon([1], [1], { base: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('chiSquare = scipy.stats.chi2_contingency(correction=False)', () => {
  for (const c of reference.chiSquare) {
    it(c.name, () => {
      if (c.error) {
        expect(() => chiSquare(c.referenceCounts, c.currentCounts)).toThrow(
          expect.objectContaining({ code: 'ZERO_EXPECTED_FREQUENCY' }),
        );
        return;
      }
      const got = chiSquare(c.referenceCounts, c.currentCounts);
      expect(got.dof).toBe(c.dof);
      expectClose(got.statistic, c.statistic, 'statistic');
      expectClose(got.pValue, c.pValue, 'pValue');
    });
  }
  it('rejects negative counts and length mismatches', () => {
    expect(() => chiSquare([1, -2], [3, 4])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => chiSquare([1, 2], [3])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('psi on large samples (bracketed selection path)', () => {
  it('equals a sort-based computation exactly, with ties and heavy tails', () => {
    let s = 12345;
    const rand = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const n = 1_100_000;
    const ref = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? Math.round(rand() * 4) : Math.tan((rand() - 0.5) * 3)));
    const cur = Float64Array.from({ length: 200_000 }, () => Math.tan((rand() - 0.45) * 3));
    const got = psi(ref, cur, { bins: 10 });
    const sorted = Float64Array.from(ref).sort();
    const sortedCur = Float64Array.from(cur).sort();
    const upTo = (arr: Float64Array, v: number): number => arr.filter((x) => x <= v).length;
    const q = (p: number): number => {
      const virtual = (n - 1) * p;
      const below = Math.floor(virtual);
      const t = virtual - below;
      const a = sorted[below]!;
      const b = sorted[below + 1]!;
      return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    };
    const edges = [Number.NEGATIVE_INFINITY];
    for (let i = 1; i < 10; i++) if (q(i / 10) !== edges.at(-1)) edges.push(q(i / 10));
    edges.push(Number.POSITIVE_INFINITY);
    expect(got.bins.map((b) => b.upper)).toEqual(edges.slice(1));
    got.bins.forEach((b, i) => {
      expect(b.referenceCount).toBe(upTo(sorted, edges[i + 1]!) - upTo(sorted, edges[i]!));
      expect(b.currentCount).toBe(upTo(sortedCur, edges[i + 1]!) - upTo(sortedCur, edges[i]!));
    });
  });

  it('names the argument holding a non-finite value', () => {
    const ref = new Float64Array(1_100_000).map((_, i) => i);
    ref[123_456] = Number.NaN;
    expect(() => psi(ref, [1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('reference[123456]') }));
    expect(() => psi([1, 2], Float64Array.from([1, Number.POSITIVE_INFINITY]))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('current[1]') }),
    );
  });
});
