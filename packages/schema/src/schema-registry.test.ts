import { describe, expect, it } from 'vitest';
import { defaultRegistry, loadSchemaRegistry } from './default-registry.js';
import { SchemaError } from './errors.js';
import { readSchemaSources } from './load-schemas.js';
import { normalizeValue } from './normalize.js';
import { RECORD_TYPES, type RecordType } from './record-types.js';
import { SchemaRegistry, type SchemaSource } from './schema-registry.js';
import { NOW, SAMPLES, manifest } from './test-fixtures.js';

const registry = defaultRegistry();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SchemaError) return err.code;
    throw err;
  }
  return undefined;
}

describe('SchemaRegistry loading', () => {
  it('loads every record type, keyed by fingerprint, current = highest version', () => {
    expect(new Set(registry.recordTypes())).toEqual(new Set(RECORD_TYPES));
    expect(registry.versions('EvidenceManifest').map((entry) => entry.version)).toEqual([1, 2, 3]);
    expect(registry.current('EvidenceManifest').version).toBe(3);
    for (const entry of registry.all()) {
      expect(entry.fingerprint).toHaveLength(8);
      expect(registry.byFingerprint(entry.fingerprint)).toBe(entry);
      expect(registry.byFingerprint(entry.fingerprintHex.toUpperCase())).toBe(entry);
    }
    expect(loadSchemaRegistry().current('StudyResult').fingerprintHex).toBe(registry.current('StudyResult').fingerprintHex);
  });

  const sources = readSchemaSources();
  const replace = (origin: string, change: (schema: Record<string, unknown>) => unknown): SchemaSource[] =>
    sources.map((source) => (source.origin === origin ? { ...source, schema: change(structuredClone(source.schema) as Record<string, unknown>) } : source));
  const fields = (schema: Record<string, unknown>): Array<Record<string, unknown>> => schema['fields'] as Array<Record<string, unknown>>;

  it.each([
    ['a version that cannot read an older one', replace('EvidenceManifest.v2.avsc', (s) => ({ ...s, fields: [...fields(s), { name: 'extra', type: 'string' }] }))],
    ['a record without tenant', replace('Incident.v1.avsc', (s) => ({ ...s, fields: fields(s).filter((f) => f['name'] !== 'tenant') }))],
    ['occurred_at without timestamp-micros', replace('Incident.v1.avsc', (s) => ({ ...s, fields: fields(s).map((f) => (f['name'] === 'occurred_at' ? { ...f, type: 'long' } : f)) }))],
    ['a gap in versions', sources.map((source) => (source.origin === 'EvidenceManifest.v3.avsc' ? { ...source, version: 4 } : source))],
    ['a missing record type', sources.filter((source) => source.recordType !== 'OversightEvent')],
    ['a record named differently from its file', replace('Incident.v1.avsc', (s) => ({ ...s, name: 'Incidents' }))],
    ['an invalid Avro schema', replace('Incident.v1.avsc', (s) => ({ ...s, fields: 'nope' }))],
    ['the same schema twice', [...sources, { ...(sources[0] as SchemaSource), version: 9, origin: 'copy' }]],
  ])('rejects %s with SCHEMA_FILE_INVALID', (_name, broken) => {
    expect(codeOf(() => SchemaRegistry.fromSources(broken))).toBe('SCHEMA_FILE_INVALID');
  });

  it('answers UNKNOWN_RECORD_TYPE and UNKNOWN_VERSION', () => {
    expect(codeOf(() => registry.current('Nope' as RecordType))).toBe('UNKNOWN_RECORD_TYPE');
    expect(codeOf(() => registry.get('EvidenceManifest', 4))).toBe('UNKNOWN_VERSION');
    expect(codeOf(() => registry.encode('Incident', SAMPLES.Incident(), { version: 3, now: NOW }))).toBe('UNKNOWN_VERSION');
  });
});

describe('encode and decode', () => {
  it.each(RECORD_TYPES.map((recordType) => [recordType]))('round-trips %s through single-object encoding', (recordType) => {
    const value = SAMPLES[recordType]();
    const bytes = registry.encode(recordType, value, { now: NOW });
    const entry = registry.current(recordType);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.subarray(2, 10)).toEqual(entry.fingerprint);
    const decoded = registry.decode(bytes);
    expect(decoded).toEqual({ recordType, version: entry.version, readerVersion: entry.version, fingerprint: entry.fingerprintHex, value });
    expect(Object.getPrototypeOf(decoded.value)).toBe(Object.prototype);
  });

  it('writes the bytes avsc writes, for small values and for values larger than the scratch buffer', () => {
    const entry = registry.current('EvidenceManifest');
    const small = manifest();
    const large = manifest({ summary: 'x'.repeat(100_000) });
    for (const value of [small, large]) {
      const bytes = registry.encode('EvidenceManifest', value, { now: NOW });
      expect(bytes.equals(Buffer.concat([Buffer.from([0xc3, 0x01]), entry.fingerprint, entry.type.toBuffer(normalizeValue(entry.type, value))]))).toBe(true);
    }
    // Each call returns its own bytes, not a view of a buffer the next call overwrites.
    const first = registry.encode('EvidenceManifest', small, { now: NOW });
    const copy = Buffer.from(first);
    registry.encode('EvidenceManifest', manifest({ run_id: 'another-run' }), { now: NOW });
    expect(first.equals(copy)).toBe(true);
  });

  it('fills omitted optional fields with their defaults', () => {
    const { pipeline_id: _p, summary: _s, labels: _l, outputs: _o, risk_classification: _r, ...sparse } = manifest();
    const decoded = registry.decode(registry.encode('EvidenceManifest', sparse, { now: NOW }));
    expect(decoded.value).toEqual({ ...manifest(), pipeline_id: null, summary: null, labels: {}, outputs: [], risk_classification: null });
  });

  it('encodes deterministically: map key order and field order do not change the bytes', () => {
    const a = manifest({ labels: { b: '2', a: '1', '10': 'x', '9': 'y' } });
    const reordered = Object.fromEntries(Object.entries(manifest({ labels: { '9': 'y', a: '1', '10': 'x', b: '2' } })).reverse());
    const details = {
      'io.probity.evidence.TrainingDetails': { duration_ms: 1200, seed: 7, framework_version: '2.1.1', framework: 'xgboost', hyperparameters: { depth: '6', lr: '0.1' } },
    };
    const bytesA = registry.encode('EvidenceManifest', a, { now: NOW });
    const bytesB = registry.encode('EvidenceManifest', { ...reordered, details }, { now: NOW });
    expect(bytesB.equals(bytesA)).toBe(true);
    // And decoding then re-encoding reproduces the bytes (the content hash survives a round trip).
    expect(registry.encode('EvidenceManifest', registry.decode(bytesA).value, { now: NOW }).equals(bytesA)).toBe(true);
    expect(registry.encode('EvidenceManifest', manifest({ labels: { a: '1' } }), { now: NOW }).equals(bytesA)).toBe(false);
  });

  it('resolves v1 bytes to the v2 and current readers and v2 bytes to a v1 reader', () => {
    const { risk_classification: _r, ...v1Value } = manifest();
    const v1Bytes = registry.encode('EvidenceManifest', v1Value, { version: 1, now: NOW });
    expect(registry.decode(v1Bytes)).toMatchObject({ version: 1, readerVersion: 3, value: { ...v1Value, risk_classification: null } });
    expect(registry.decode(v1Bytes, { readerVersion: 2 }).value).toEqual({ ...v1Value, risk_classification: null });
    expect(registry.decode(v1Bytes, { readerVersion: 1 }).value).toEqual(v1Value);

    const v2Bytes = registry.encode('EvidenceManifest', manifest(), { version: 2, now: NOW });
    const asV1 = registry.decode(v2Bytes, { readerVersion: 1 });
    expect(asV1).toMatchObject({ version: 2, readerVersion: 1, fingerprint: registry.get('EvidenceManifest', 2).fingerprintHex });
    expect(asV1.value).toEqual(v1Value);
  });

  it('answers READER_TOO_OLD when a version without enum defaults is asked to read one with symbols it lacks', () => {
    const v3Bytes = registry.encode('EvidenceManifest', manifest(), { now: NOW });
    expect(codeOf(() => registry.decode(v3Bytes, { readerVersion: 1 }))).toBe('READER_TOO_OLD');
    expect(codeOf(() => registry.decode(v3Bytes, { readerVersion: 2 }))).toBe('READER_TOO_OLD');
  });

  it('rejects a v2-only field when writing v1', () => {
    expect(codeOf(() => registry.encode('EvidenceManifest', manifest(), { version: 1, now: NOW }))).toBe('SCHEMA_INVALID');
  });

  it('refuses invalid values with SCHEMA_INVALID and the issues in details', () => {
    try {
      registry.encode('EvidenceManifest', manifest({ tenant: 'Bad Tenant', stage: 'NOPE' as never }), { now: NOW });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SchemaError);
      const error = err as SchemaError;
      expect(error.code).toBe('SCHEMA_INVALID');
      expect((error.details?.['issues'] as Array<{ path: string }>).map((issue) => issue.path).sort()).toEqual(['stage', 'tenant']);
    }
  });

  it('refuses an undeclared (misspelt) field, nested or not, naming it', () => {
    const misspelt = { ...manifest(), principal: { kind: 'USER', id: 'u', dispaly_name: 'x' }, lables: {} };
    try {
      registry.encode('EvidenceManifest', misspelt, { now: NOW });
      expect.unreachable();
    } catch (err) {
      expect((err as SchemaError).code).toBe('SCHEMA_INVALID');
      expect(((err as SchemaError).details?.['issues'] as Array<{ path: string }>).map((issue) => issue.path).sort()).toEqual(['lables', 'principal.dispaly_name']);
    }
  });
});

describe('decode errors', () => {
  const good = registry.encode('InferenceRecord', SAMPLES.InferenceRecord(), { now: NOW });

  it('NOT_SINGLE_OBJECT for short input or a wrong marker', () => {
    expect(codeOf(() => registry.decode(Buffer.alloc(0)))).toBe('NOT_SINGLE_OBJECT');
    expect(codeOf(() => registry.decode(good.subarray(0, 9)))).toBe('NOT_SINGLE_OBJECT');
    const wrong = Buffer.from(good);
    wrong[0] = 0x4f;
    expect(codeOf(() => registry.decode(wrong))).toBe('NOT_SINGLE_OBJECT');
    expect(codeOf(() => registry.decode(Buffer.from('{"tenant":"acme"}')))).toBe('NOT_SINGLE_OBJECT');
  });

  it('UNKNOWN_FINGERPRINT for a schema we never had', () => {
    const unknown = Buffer.from(good);
    unknown.writeBigUInt64LE(0x0123456789abcdefn, 2);
    expect(codeOf(() => registry.decode(unknown))).toBe('UNKNOWN_FINGERPRINT');
  });

  it('BODY_INVALID for truncated, trailing and garbage bodies', () => {
    expect(codeOf(() => registry.decode(good.subarray(0, good.length - 3)))).toBe('BODY_INVALID');
    expect(codeOf(() => registry.decode(Buffer.concat([good, Buffer.from([0])])))).toBe('BODY_INVALID');
    expect(codeOf(() => registry.decode(Buffer.concat([good.subarray(0, 10), Buffer.from('ff'.repeat(40), 'hex')])))).toBe('BODY_INVALID');
    expect(codeOf(() => registry.decode(good.subarray(0, 10)))).toBe('BODY_INVALID');
  });

  it('BODY_INVALID, quickly, for a block count far beyond the bytes present', () => {
    // tenant "a", model_id "b", model_version "c", request_id "d", occurred_at, latency, two null unions, then a map claiming 2^52 entries.
    const header = good.subarray(0, 10);
    const strings = Buffer.from([2, 0x61, 2, 0x62, 2, 0x63, 2, 0x64]);
    const numbers = Buffer.concat([Buffer.from([2]), Buffer.alloc(8), Buffer.from([0, 0])]);
    const hugeCount = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    const started = Date.now();
    expect(codeOf(() => registry.decode(Buffer.concat([header, strings, numbers, hugeCount, Buffer.from([2, 0x61])])))).toBe('BODY_INVALID');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('BODY_INVALID for an enum or union index out of range', () => {
    const value = SAMPLES.OversightEvent();
    const bytes = registry.encode('OversightEvent', value, { now: NOW });
    // The action enum index follows tenant, event_id, occurred_at and principal; flip it to 100 by re-encoding with a patched byte.
    const withoutAction = registry.encode('OversightEvent', { ...value, action: 'REVIEWED' }, { now: NOW });
    const at = [...bytes].findIndex((byte, i) => byte !== withoutAction[i]);
    const broken = Buffer.from(bytes);
    broken[at] = 100 * 2;
    expect(codeOf(() => registry.decode(broken))).toBe('BODY_INVALID');
  });
});
