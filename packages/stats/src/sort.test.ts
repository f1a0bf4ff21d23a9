import { describe, expect, it } from 'vitest';
import { selectRanks } from './select.js';
import { sortFloat64, sortedCopyFloat64 } from './sort.js';

function sample(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float64Array.from({ length: n }, (_, i) =>
    i % 7 === 0 ? Math.round(rand() * 20) - 10 : (rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 6),
  );
}

describe('sortFloat64 (radix) and selectRanks (quickselect)', () => {
  it('radix sort equals the built-in numeric sort, signs, zeros and ties included', () => {
    for (const n of [10, 40_000, 200_000]) {
      const values = sample(n, n);
      values[3] = -0;
      values[4] = 0;
      values[5] = -Number.MAX_VALUE;
      values[6] = Number.MIN_VALUE;
      const expected = Float64Array.from(values).sort();
      const got = sortFloat64(Float64Array.from(values));
      expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });

  it('selected ranks equal the sorted array at those ranks', () => {
    const values = sample(100_003, 7);
    const sorted = Float64Array.from(values).sort();
    const ranks = [0, 1, 10_000, 10_001, 50_001, 99_999, 100_002, 50_001];
    const got = selectRanks(values, ranks);
    for (const r of ranks) expect(got.get(r)).toBe(sorted[r]);
    const constant = new Float64Array(5_000).fill(3);
    expect(selectRanks(constant, [0, 2_500, 4_999]).get(2_500)).toBe(3);
    const ascending = Float64Array.from({ length: 50_000 }, (_, i) => i);
    expect(selectRanks(ascending, [12_345]).get(12_345)).toBe(12_345);
  });

  it('the distribution sort copy equals the built-in sort on bell, long-tailed, tied and signed-zero data', () => {
    let seed = 99;
    const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
    const normal = (): number => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    const cases: Record<string, Float64Array> = {
      normal: Float64Array.from({ length: 300_000 }, normal),
      // A Pareto tail lumps almost everything into the first coarse bucket: exercises the recursion.
      pareto: Float64Array.from({ length: 300_000 }, () => 1 / rand() ** 3),
      ties: Float64Array.from({ length: 200_000 }, () => Math.round(normal() * 3)),
      extremes: Float64Array.from({ length: 100_000 }, (_, i) => (i % 3 === 0 ? -Number.MAX_VALUE : i % 3 === 1 ? Number.MAX_VALUE : normal())),
      mixed: sample(150_000, 11),
      constant: new Float64Array(70_000).fill(2.5),
    };
    const withZeros = Float64Array.from(cases.normal!);
    withZeros[10] = -0;
    withZeros[20] = 0;
    cases.signedZeros = withZeros;
    for (const [name, values] of Object.entries(cases)) {
      const before = Buffer.from(values.buffer).toString('base64');
      const expected = Float64Array.from(values).sort();
      const got = sortedCopyFloat64(values);
      expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer)), name).toBe(true);
      expect(Buffer.from(values.buffer).toString('base64'), `${name} input untouched`).toBe(before);
    }
    expect(sortedCopyFloat64([3, 1, 2])).toEqual(Float64Array.from([1, 2, 3]));
  });
});

