import { describe, expect, it } from 'vitest';
import { isProbityError } from '@probity/errors';
import { expectClose, reference } from '../testing/scipy-reference.js';
import { ks2samp, type Alternative } from './ks2samp.js';

const cases = reference.ks2samp as Array<{
  name: string;
  a: number[];
  b: number[];
  results: Record<Alternative, { statistic: number; pValue: number; statisticLocation: number; statisticSign: number; method: string }>;
}>;

describe(`ks2samp matches scipy.stats.ks_2samp (SciPy ${reference.scipy})`, () => {
  for (const c of cases) {
    for (const alternative of ['two-sided', 'less', 'greater'] as const) {
      it(`${c.name} [${alternative}] n=${c.a.length}/${c.b.length}`, () => {
        const expected = c.results[alternative];
        const got = ks2samp(c.a, Float64Array.from(c.b), { alternative });
        expectClose(got.statistic, expected.statistic, 'statistic');
        expectClose(got.pValue, expected.pValue, 'pValue');
        expect(got.statisticLocation).toBe(expected.statisticLocation);
        expect(got.statisticSign).toBe(expected.statisticSign);
        expect(got.method).toBe(expected.method);
      });
    }
  }

  it('covers exact, fallback-to-asymp and asymp regimes in the reference', () => {
    const methods = new Set(cases.flatMap((c) => Object.values(c.results).map((r) => r.method)));
    expect([...methods].sort()).toEqual(['asymp', 'exact']);
    expect(cases.some((c) => Math.max(c.a.length, c.b.length) === 10_001)).toBe(true);
  });

  it('does not mutate its inputs', () => {
    const a = [3, 1, 2];
    const b = Float64Array.from([9, 0, 4]);
    ks2samp(a, b);
    expect(a).toEqual([3, 1, 2]);
    expect([...b]).toEqual([9, 0, 4]);
  });

  it.each([
    ['empty a', [], [1]],
    ['NaN in b', [1, 2], [1, Number.NaN]],
    ['Infinity in a', [Number.POSITIVE_INFINITY], [1]],
  ])('throws INVALID_INPUT for %s', (_label, a, b) => {
    try {
      ks2samp(a, b);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(isProbityError(err, 'INVALID_INPUT')).toBe(true);
    }
  });

  it('throws INVALID_OPTION for an unknown alternative', () => {
    expect(() => ks2samp([1], [2], { alternative: 'sideways' as Alternative })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
