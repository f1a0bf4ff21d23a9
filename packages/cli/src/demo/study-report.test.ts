import { describe, expect, it } from 'vitest';
import type { StudyResultJson } from '@probity/scheduler';
import { describeStudyResult } from './study-report.js';

const finding = (name: string, method: string, statistic: number, verdict: string, extra: Partial<{ p_value: number | null; effect_size: number | null; threshold: number | null }> = {}) => ({
  name, method, statistic, p_value: null, effect_size: null, threshold: null, verdict, ...extra,
});
const base = {
  study_id: 's', occurred_at: '2026-12-07T15:30:00.000Z', labels: {},
  current_window: { from: '2026-11-30T15:30:00.000Z', to: '2026-12-07T15:30:00.000Z', sample_size: 7560, reference_version: null },
  reference_window: { from: '2025-01-01T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z', sample_size: 5500, reference_version: '4.1.0@sha256:00' },
};

describe('describeStudyResult', () => {
  it('prints each drift feature with its figures and its worst verdict', () => {
    const lines = describeStudyResult({
      ...base, kind: 'DRIFT', verdict: 'CRITICAL', parameters: { 'reference.model_version': '4.1.0' },
      results: [finding('debt_ratio', 'psi', 0.8, 'CRITICAL'), finding('debt_ratio', 'ks', 0.35, 'WARNING', { p_value: 0 }), finding('income', 'psi', 0.01, 'PASS')],
    } as unknown as StudyResultJson);
    expect(lines[0]).toBe('s (drift, due 2026-12-07T15:30:00.000Z): CRITICAL');
    expect(lines[1]).toContain('current 7,560 records');
    expect(lines[2]).toMatch(/debt_ratio\s+PSI 0.800  KS D 0.350 \(p < 1e-300\)  → CRITICAL/);
    expect(lines[3]).toMatch(/income\s+PSI 0.010  → PASS/);
  });

  it('prints a calibration deviation against its limit, and the reason when data was short', () => {
    const [, line] = describeStudyResult({
      ...base, kind: 'CALIBRATION', verdict: 'FAIL', parameters: { metric: 'p99', agent: 'otel', probe_agent: 'probe' },
      results: [finding('p99', 'relative_deviation', 0.091, 'FAIL', { threshold: 0.05 }), finding('p99.bias', 'bland_altman', -16.44, 'PASS')],
    } as unknown as StudyResultJson);
    expect(line).toContain('otel p99 against probe: deviation 9.1% (limit 5.0%) over 7,560 paired readings; bias -16.4');
    const short = describeStudyResult({ ...base, kind: 'CALIBRATION', verdict: 'INSUFFICIENT_DATA', parameters: {}, results: [], labels: { insufficient_reason: '0 of 10 paired readings' } } as unknown as StudyResultJson);
    expect(short[1]).toBe('    0 of 10 paired readings');
  });
});
