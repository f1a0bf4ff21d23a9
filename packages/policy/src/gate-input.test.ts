import { describe, expect, it } from 'vitest';
import { canonicalDigest, canonicalJson } from './canonical-json.js';
import { buildGateInput, type GateEvidenceRow } from './gate-input.js';

const row = (record_type: string, content_hash: string, occurred_at: string, record: Record<string, unknown>, emitter_signed = true): GateEvidenceRow => ({ record_type, content_hash, occurred_at, record, emitter_signed });
const dataset = (id: string, sha256: string) => ({ id, kind: 'DATASET', sha256, uri: `s3://b/${id}`, size_bytes: null, media_type: null });

const runRows: GateEvidenceRow[] = [
  row('EvidenceManifest', 'h1', '2026-07-01T10:00:00.000Z', { stage: 'INGEST', model_id: 'm', model_version: '1', inputs: [dataset('loans', 'd1'), dataset('bureau', 'd2')], outputs: [], approvals: [], labels: { 'consent.loans': 'granted' } }),
  row('EvidenceManifest', 'h2', '2026-07-01T11:00:00.000Z', {
    stage: 'EVALUATION', model_id: 'm', model_version: '1', inputs: [], outputs: [], approvals: [], labels: {},
    details: { evaluation: { metrics: { auc: 0.9 }, thresholds: { auc: 0.85 }, dataset_split: 'test', passed_thresholds: true } },
  }),
  row('EvidenceManifest', 'h3', '2026-07-01T12:00:00.000Z', {
    stage: 'PROMOTION', model_id: 'm', model_version: '1', inputs: [dataset('bureau', 'd2')], outputs: [], labels: { consent: 'withdrawn' },
    approvals: [
      { role: 'risk-officer', principal: 'user:ann', at: '2026-07-01T11:30:00Z', decision: 'APPROVED' },
      { role: 'ml-lead', principal: 'user:bob', at: '2026-07-01T11:40:00Z', decision: null },
    ],
  }, false),
];
const modelRows: GateEvidenceRow[] = [
  row('StudyResult', 's1', '2026-06-01T00:00:00.000Z', { kind: 'DRIFT', study_id: 'drift-m', verdict: 'CRITICAL' }),
  row('StudyResult', 's2', '2026-06-20T00:00:00.000Z', { kind: 'DRIFT', study_id: 'drift-m', verdict: 'PASS' }),
  row('StudyResult', 's3', '2026-06-21T00:00:00.000Z', { kind: 'CALIBRATION', study_id: 'cal', verdict: 'FAIL' }),
  row('Incident', 'i1', '2026-06-02T00:00:00.000Z', { incident_id: 'INC-1', severity: 'CRITICAL', status: 'OPEN', serious: true }),
  row('Incident', 'i2', '2026-06-03T00:00:00.000Z', { incident_id: 'INC-1', severity: 'CRITICAL', status: 'RESOLVED', serious: true }),
  row('Incident', 'i3', '2026-06-04T00:00:00.000Z', { incident_id: 'INC-2', severity: 'HIGH', status: 'OPEN', serious: false }),
];

describe('buildGateInput', () => {
  const input = buildGateInput({ tenant: 'acme', gate: 'promotion', runId: 'r1', runRows, modelRows });

  it('collects stages, evaluations, approvals, signatures and the model', () => {
    expect(input.stages).toEqual(['EVALUATION', 'INGEST', 'PROMOTION']);
    expect(input.model).toEqual({ id: 'm', version: '1' });
    expect(input.evaluations).toEqual([{ content_hash: 'h2', dataset_split: 'test', metrics: { auc: 0.9 }, thresholds: { auc: 0.85 }, passed_thresholds: true }]);
    expect(input.approvals.map((a) => [a.principal, a.role, a.decision, a.emitter_signed])).toEqual([
      ['user:ann', 'risk-officer', 'APPROVED', false],
      ['user:bob', 'ml-lead', 'UNKNOWN', false],
    ]);
    expect(input.signatures).toEqual({ records: 3, emitter_signed: 2 });
  });

  it('reads consent per dataset, a later refusal overriding a grant, silence as null', () => {
    expect(input.datasets.map((d) => [d.id, d.consent])).toEqual([['loans', true], ['bureau', false]]);
    const silent = buildGateInput({ tenant: 'acme', gate: 'promotion', runId: 'r1', runRows: [runRows[1]!, { ...runRows[0]!, record: { ...runRows[0]!.record, labels: {} } }], modelRows: [] });
    expect(silent.datasets.map((d) => d.consent)).toEqual([null, null]);
  });

  it('takes the latest drift and calibration study and the incidents whose latest record is not RESOLVED', () => {
    expect(input.drift).toMatchObject({ study_id: 'drift-m', verdict: 'PASS', content_hash: 's2' });
    expect(input.calibration).toMatchObject({ verdict: 'FAIL' });
    expect(input.open_incidents.map((i) => i.incident_id)).toEqual(['INC-2']);
  });

  it('gives the same document and digest for the rows in any order', () => {
    const shuffled = buildGateInput({ tenant: 'acme', gate: 'promotion', runId: 'r1', runRows: [...runRows].reverse(), modelRows: [...modelRows].reverse() });
    expect(canonicalJson(shuffled)).toBe(canonicalJson(input));
    expect(canonicalDigest(shuffled)).toBe(canonicalDigest(input));
    expect(input.evidence).toEqual(['h1', 'h2', 'h3', 'i1', 'i2', 'i3', 's1', 's2', 's3']);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined, refuses NaN', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: null, y: 'x' }], c: undefined } })).toBe('{"a":{"d":[2,{"y":"x","z":null}]},"b":1}');
    expect(canonicalDigest({ a: 1, b: 2 })).toBe(canonicalDigest({ b: 2, a: 1 }));
    expect(canonicalDigest({ a: 1 })).not.toBe(canonicalDigest({ a: 2 }));
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
  });
});
