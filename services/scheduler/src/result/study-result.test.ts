import { describe, expect, it } from 'vitest';
import type { CalibrationStudyDefinition, DriftStudyDefinition } from '@probity/catalog';
import { incidentsFor } from './escalation.js';
import { finalizeStudyResult, type StudyResultJson } from './study-result.js';

function result(overrides: Partial<StudyResultJson> = {}): StudyResultJson {
  return {
    tenant: 'demo',
    study_id: 's',
    study_version: '1',
    run_id: 's@1@2025-03-10T02:00:00.000Z',
    kind: 'DRIFT',
    model_id: 'm',
    occurred_at: '2025-03-10T02:00:00.000Z',
    started_at: '2025-03-10T02:00:00.000Z',
    finished_at: '2025-03-10T02:00:00.000Z',
    methods: ['psi'],
    parameters: { z: '1', a: '2', m: '3' },
    reference_window: { from: '2025-01-01T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z', sample_size: 10, reference_version: 'v1' },
    current_window: { from: '2025-03-03T02:00:00.000Z', to: '2025-03-10T02:00:00.000Z', sample_size: 10, reference_version: null },
    results: [{ name: 'x', method: 'psi', statistic: 0.3, p_value: null, effect_size: null, threshold: 0.25, verdict: 'CRITICAL' }],
    verdict: 'CRITICAL',
    library: '@probity/stats',
    library_version: '0.1.0',
    inputs: [],
    controls: ['iso9001:9.1.3', 'iso42001:A.6.2.6', 'iso9001:9.1.3'],
    labels: { due_at: '2025-03-10T02:00:00.000Z', b: 'x' },
    ...overrides,
  };
}

describe('finalizeStudyResult', () => {
  it('writes maps in sorted key order and dedupes controls, so equal results serialize equally', () => {
    const a = finalizeStudyResult(result());
    const b = finalizeStudyResult(result({ parameters: { m: '3', a: '2', z: '1' }, labels: { b: 'x', due_at: '2025-03-10T02:00:00.000Z' } }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Object.keys(a.parameters)).toEqual(['a', 'm', 'z']);
    expect(a.controls).toEqual(['iso42001:A.6.2.6', 'iso9001:9.1.3']);
  });
});

describe('incidentsFor', () => {
  const drift = { kind: 'drift', escalation: { warning: 'notify', critical: 'incident' } } as DriftStudyDefinition;

  it('raises an incident and a rollback candidate on CRITICAL, with ids derived from the run', () => {
    const incidents = incidentsFor(drift, result());
    expect(incidents.map((i) => i.labels.escalation)).toEqual(['incident', 'rollback-candidate']);
    expect(incidents.map((i) => i.incident_id)).toEqual(['s@1@2025-03-10T02:00:00.000Z#incident', 's@1@2025-03-10T02:00:00.000Z#rollback-candidate']);
    expect(incidents[0]).toMatchObject({ severity: 'CRITICAL', status: 'OPEN', occurred_at: '2025-03-10T02:00:00.000Z', run_id: 's@1@2025-03-10T02:00:00.000Z' });
    expect(incidentsFor(drift, result())).toEqual(incidents);
  });

  it('notifies on WARNING, stays quiet on PASS and INSUFFICIENT_DATA, and follows the policy', () => {
    expect(incidentsFor(drift, result({ verdict: 'WARNING' })).map((i) => [i.labels.escalation, i.severity])).toEqual([['notification', 'MEDIUM']]);
    expect(incidentsFor(drift, result({ verdict: 'PASS' }))).toEqual([]);
    expect(incidentsFor(drift, result({ verdict: 'INSUFFICIENT_DATA' }))).toEqual([]);
    const quiet = { ...drift, escalation: { warning: 'none', critical: 'notify' } } as DriftStudyDefinition;
    expect(incidentsFor(quiet, result({ verdict: 'WARNING' }))).toEqual([]);
    expect(incidentsFor(quiet, result()).map((i) => i.labels.escalation)).toEqual(['notification']);
  });

  it('raises a nonconformity when a calibration fails', () => {
    const calibration = { kind: 'calibration', metric: { name: 'latency_p99_ms', agent: 'apm' } } as CalibrationStudyDefinition;
    expect(incidentsFor(calibration, result({ kind: 'CALIBRATION', verdict: 'FAIL' })).map((i) => i.labels.escalation)).toEqual(['nonconformity']);
    expect(incidentsFor(calibration, result({ kind: 'CALIBRATION', verdict: 'PASS' }))).toEqual([]);
  });
});
