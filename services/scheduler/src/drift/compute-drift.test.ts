import { describe, expect, it } from 'vitest';
import { computeDrift } from './compute-drift.js';

/** Deterministic pseudo-normal sample (Box–Muller on a 32-bit LCG). */
function sample(n: number, meanShift: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = meanShift + Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

function reversed(a: Float64Array): Float64Array {
  return Float64Array.from(a).reverse();
}

describe('computeDrift', () => {
  it('gives the same numbers and hashes whatever order the rows came in', () => {
    const ref = sample(5_000, 0, 1);
    const cur = sample(4_000, 0.3, 2);
    const methods = ['psi', 'ks', 'wasserstein', 'js', 'chi2'] as const;
    const a = computeDrift({ features: [{ name: 'x', reference: ref, current: cur }], methods: [...methods], bins: 10 });
    const b = computeDrift({ features: [{ name: 'x', reference: reversed(ref), current: reversed(cur) }], methods: [...methods], bins: 10 });
    expect(b).toEqual(a);
    expect(a.referenceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.referenceHash).not.toBe(a.currentHash);
    const x = a.features[0]!.methods;
    expect(x.ks!.effect_size).toBe(x.ks!.statistic);
    expect(x.ks!.p_value).toBeLessThan(1e-6);
    expect(x.psi!.statistic).toBeGreaterThan(0.05);
    expect(x.wasserstein!.effect_size).toBeGreaterThan(0.2);
    expect(x.js!.statistic).toBeGreaterThan(0);
    expect(x.chi2!.effect_size).toBeCloseTo(Math.sqrt(x.chi2!.statistic / 9_000), 12);
  });

  it('finds no drift between two samples of one distribution', () => {
    const out = computeDrift({ features: [{ name: 'x', reference: sample(5_000, 0, 3), current: sample(5_000, 0, 4) }], methods: ['psi', 'ks'], bins: 10 });
    expect(out.features[0]!.methods.psi!.statistic).toBeLessThan(0.02);
    expect(out.features[0]!.methods.ks!.p_value).toBeGreaterThan(0.001);
  });

  it('reports sizes and no numbers for a feature without data', () => {
    const out = computeDrift({ features: [{ name: 'x', reference: sample(10, 0, 5), current: new Float64Array(0) }], methods: ['psi'], bins: 10 });
    expect(out.features[0]).toEqual({ name: 'x', referenceSize: 10, currentSize: 0, methods: {} });
  });
});
