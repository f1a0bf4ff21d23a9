import { describe, expect, it } from 'vitest';
import { judge, overallVerdict } from './verdict.js';

const psi = { statistic: { warning: 0.1, critical: 0.25 }, combine: 'all' as const };
const ksAll = { p_value: { warning: 0.01, critical: 0.001 }, effect_size: { warning: 0.05, critical: 0.1 }, combine: 'all' as const };
const n = (statistic: number, p_value: number | null = null, effect_size: number | null = null) => ({ statistic, p_value, effect_size });

describe('judge', () => {
  it('applies statistic levels (PSI 0.1 warning, 0.25 critical)', () => {
    expect(judge(psi, n(0.05))).toEqual({ verdict: 'PASS', threshold: 0.1 });
    expect(judge(psi, n(0.1))).toEqual({ verdict: 'WARNING', threshold: 0.1 });
    expect(judge(psi, n(0.3))).toEqual({ verdict: 'CRITICAL', threshold: 0.25 });
  });

  it('with combine all, a tiny p-value alone does not alarm: the effect size must agree', () => {
    expect(judge(ksAll, n(0.004, 1e-12, 0.004)).verdict).toBe('PASS');
    expect(judge(ksAll, n(0.07, 1e-6, 0.07))).toEqual({ verdict: 'WARNING', threshold: 0.01 });
    expect(judge(ksAll, n(0.2, 1e-9, 0.2))).toEqual({ verdict: 'CRITICAL', threshold: 0.001 });
    expect(judge(ksAll, n(0.2, 0.5, 0.2)).verdict).toBe('PASS');
  });

  it('with combine any, either criterion alarms', () => {
    const ksAny = { ...ksAll, combine: 'any' as const };
    expect(judge(ksAny, n(0.004, 1e-12, 0.004)).verdict).toBe('CRITICAL');
    expect(judge(ksAny, n(0.2, 0.5, 0.2)).verdict).toBe('CRITICAL');
    expect(judge(ksAny, n(0.06, 0.5, 0.06)).verdict).toBe('WARNING');
  });

  it('judges on a p-value alone or an effect size alone', () => {
    expect(judge({ p_value: { critical: 0.01 }, combine: 'all' }, n(0.01, 0.009)).verdict).toBe('CRITICAL');
    expect(judge({ p_value: { critical: 0.01 }, combine: 'all' }, n(0.01, 0.01)).verdict).toBe('PASS');
    expect(judge({ effect_size: { warning: 0.1 }, combine: 'all' }, n(0.3, null, 0.3)).verdict).toBe('WARNING');
    expect(judge({ effect_size: { warning: 0.1 }, combine: 'all' }, n(0.3, null, null)).verdict).toBe('PASS');
  });
});

describe('overallVerdict', () => {
  it('takes the worst finding, with insufficient data above PASS', () => {
    expect(overallVerdict(['PASS', 'PASS'])).toBe('PASS');
    expect(overallVerdict(['PASS', 'INSUFFICIENT_DATA'])).toBe('INSUFFICIENT_DATA');
    expect(overallVerdict(['INSUFFICIENT_DATA', 'WARNING', 'PASS'])).toBe('WARNING');
    expect(overallVerdict(['WARNING', 'CRITICAL'])).toBe('CRITICAL');
    expect(overallVerdict(['PASS', 'FAIL'])).toBe('FAIL');
    expect(overallVerdict([])).toBe('INSUFFICIENT_DATA');
  });
});
