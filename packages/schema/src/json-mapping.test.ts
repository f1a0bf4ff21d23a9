import { describe, expect, it } from 'vitest';
import { defaultRegistry, fromJson, toJson } from './default-registry.js';
import { RECORD_TYPES } from './record-types.js';
import { NOW, SAMPLES, manifest } from './test-fixtures.js';
import { formatIsoMicros, parseIsoMicros } from './timestamps.js';

const registry = defaultRegistry();

describe('timestamps', () => {
  it.each([
    ['2025-03-01T12:00:00Z', Date.UTC(2025, 2, 1, 12) * 1000],
    ['2025-03-01T12:00:00.5Z', Date.UTC(2025, 2, 1, 12) * 1000 + 500_000],
    ['2025-03-01T12:00:00.123456Z', Date.UTC(2025, 2, 1, 12) * 1000 + 123_456],
    ['2025-03-01T12:00:00.123456000Z', Date.UTC(2025, 2, 1, 12) * 1000 + 123_456],
    ['2025-03-01T13:30:00+01:30', Date.UTC(2025, 2, 1, 12) * 1000],
    ['2025-03-01T07:00:00-05:00', Date.UTC(2025, 2, 1, 12) * 1000],
  ])('parses %s', (text, micros) => {
    expect(parseIsoMicros(text)).toBe(micros);
  });

  it.each(['2025-03-01', '2025-03-01T12:00:00', '2025-02-30T00:00:00Z', '2025-03-01T24:00:00Z', '2025-03-01T12:00:00.1234567Z', 'yesterday'])('rejects %s', (text) => {
    expect(typeof parseIsoMicros(text)).toBe('string');
  });

  it('formats with microseconds only when needed, and round-trips', () => {
    const micros = Date.UTC(2025, 2, 1, 12) * 1000;
    expect(formatIsoMicros(micros)).toBe('2025-03-01T12:00:00.000Z');
    expect(formatIsoMicros(micros + 123_456)).toBe('2025-03-01T12:00:00.123456Z');
    expect(formatIsoMicros(micros + 7)).toBe('2025-03-01T12:00:00.000007Z');
    for (const value of [micros, micros + 1, micros + 999_999, micros + 120_000]) expect(parseIsoMicros(formatIsoMicros(value))).toBe(value);
  });
});

describe('fromJson / toJson', () => {
  it.each(RECORD_TYPES.map((recordType) => [recordType]))('%s: toJson then fromJson gives the value back', (recordType) => {
    const value = SAMPLES[recordType]();
    const json = JSON.parse(JSON.stringify(toJson(recordType, value)));
    expect(fromJson(recordType, json, { now: NOW })).toEqual({ ok: true, value });
  });

  it('writes timestamps as ISO strings and the details union under a short key', () => {
    const json = toJson('EvidenceManifest', manifest()) as Record<string, unknown>;
    expect(json['occurred_at']).toBe('2025-05-01T10:00:00.000Z');
    expect(Object.keys(json['details'] as object)).toEqual(['training']);
    expect((json['approvals'] as Array<Record<string, unknown>>)[0]?.['at']).toBe('2025-05-01T09:59:59.000Z');
  });

  it('accepts what people write: omitted optionals, lower-case enums, epoch millis, upper-case UUIDs', () => {
    const result = fromJson(
      'EvidenceManifest',
      {
        tenant: 'acme',
        manifest_id: '3B241101-E2BB-4255-8CAF-4136C566A962',
        run_id: 'run-1',
        stage: 'deployment',
        occurred_at: Date.UTC(2025, 4, 1),
        principal: { kind: 'user', id: 'user:jane' },
        controls: ['euaiact:Art.12'],
        details: { deployment: { environment: 'prod', endpoint: 'https://x', image_digest: 'sha256:abc' } },
        labels: null,
      },
      { now: NOW },
    );
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        manifest_id: '3b241101-e2bb-4255-8caf-4136c566a962',
        stage: 'DEPLOYMENT',
        occurred_at: Date.UTC(2025, 4, 1) * 1000,
        principal: { kind: 'USER', id: 'user:jane', display_name: null },
        inputs: [],
        labels: {},
        details: { 'io.probity.evidence.DeploymentDetails': { environment: 'prod', endpoint: 'https://x', image_digest: 'sha256:abc', previous_version: null } },
      }),
    });
  });

  it('reports problems at JSON paths, including inside the details branch', () => {
    const json = toJson('EvidenceManifest', manifest()) as Record<string, unknown>;
    const result = fromJson(
      'EvidenceManifest',
      {
        ...json,
        occurred_at: '2025-05-01 10:00',
        approvals: [{ role: 'owner', principal: 'p', at: 'soon' }],
        details: { training: { framework: 'xgboost', framework_version: '2', duration_ms: '12s' } },
        colour: 'red',
      },
      { now: NOW },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(['approvals[0].at', 'colour', 'details.training.duration_ms', 'occurred_at']);
  });

  it('names the accepted keys when the details union is written wrongly', () => {
    const json = toJson('EvidenceManifest', manifest()) as Record<string, unknown>;
    const result = fromJson('EvidenceManifest', { ...json, details: { type: 'training', framework: 'x' } }, { now: NOW });
    expect(result).toEqual({ ok: false, issues: [{ path: 'details', message: expect.stringContaining('training, evaluation, deployment, monitoring, ingest, generic') }] });
  });

  it('reports semantic problems with JSON paths too', () => {
    const json = toJson('EvidenceManifest', manifest()) as Record<string, unknown>;
    const result = fromJson('EvidenceManifest', { ...json, tenant: 'ACME', occurred_at: '1999-12-31T23:59:59Z' }, { now: NOW });
    expect(result.ok ? [] : result.issues.map((issue) => issue.path).sort()).toEqual(['occurred_at', 'tenant']);
  });

  it('takes a prediction as either a number or a label', () => {
    const json = toJson('InferenceRecord', SAMPLES.InferenceRecord()) as Record<string, unknown>;
    expect(json['prediction']).toBe('fraud');
    const numeric = registry.fromJson<{ prediction: unknown }>('InferenceRecord', { ...json, prediction: 0.25 }, { now: NOW });
    expect(numeric.ok && numeric.value.prediction).toBe(0.25);
    const wrong = registry.fromJson('InferenceRecord', { ...json, prediction: true }, { now: NOW });
    expect(wrong.ok ? [] : wrong.issues.map((issue) => issue.path)).toEqual(['prediction']);
  });
});
