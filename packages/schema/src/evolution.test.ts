import { describe, expect, it } from 'vitest';
import { Type } from './avsc.js';
import { fingerprint64, type SchemaJson } from './canonical-form.js';
import { defaultRegistry } from './default-registry.js';
import { SchemaError } from './errors.js';
import { enumCases, FUTURE_SYMBOL, richSample, withEnumSymbol, withoutEnumDefaults } from './evolution-fixtures.js';
import { enumsOf, LEGACY_WITHOUT_ENUM_DEFAULTS, mapEnums, parseOptions } from './evolution.js';
import { readSchemaSources } from './load-schemas.js';
import { SchemaRegistry, type SchemaSource } from './schema-registry.js';
import { NOW } from './test-fixtures.js';

const registry = defaultRegistry();
const sources = readSchemaSources();
const cases = enumCases(registry);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SchemaError) return err.code;
    throw err;
  }
  return undefined;
}

describe('enum defaults', () => {
  it('every enum of every current version has a default, and the current versions cover every enum name ever used', () => {
    const everEnum = new Set(registry.all().flatMap((entry) => enumsOf(entry.schema).map((e) => e.name)));
    const current = registry.recordTypes().flatMap((recordType) => enumsOf(registry.current(recordType).schema));
    expect(new Set(current.map((e) => e.name))).toEqual(everEnum);
    for (const e of current) expect(e.symbols, e.name).toContain(e.default);
    // A sanity check of the table below: one case per enum per record type.
    expect(cases.length).toBe(current.length);
    expect(new Set(cases.map((c) => c.enumName))).toEqual(everEnum);
  });

  it('an enum default is not part of the Parsing Canonical Form: stripping it keeps every fingerprint', () => {
    for (const entry of registry.all()) {
      expect(fingerprint64(withoutEnumDefaults(entry.schema)).toString('hex'), `${entry.recordType} v${entry.version}`).toBe(entry.fingerprintHex);
    }
    // While adding a symbol does change it (so it is a new version).
    for (const c of cases) expect(fingerprint64(c.next.schema as SchemaJson).toString('hex')).not.toBe(registry.current(c.recordType).fingerprintHex);
  });

  it('only the files released before enum defaults are exempt, and each of them is a loaded version', () => {
    const loaded = new Set(registry.all().map((entry) => entry.fingerprintHex));
    for (const print of LEGACY_WITHOUT_ENUM_DEFAULTS) expect(loaded.has(print)).toBe(true);
    for (const recordType of registry.recordTypes()) expect(LEGACY_WITHOUT_ENUM_DEFAULTS.has(registry.current(recordType).fingerprintHex)).toBe(recordType === 'InferenceRecord');
  });
});

describe.each(cases.map((c) => [`${c.recordType} ${c.enumName}`, c] as const))('a next version that adds a symbol to %s', (_name, c) => {
  const next = SchemaRegistry.fromSources([...sources, c.next]);
  const current = registry.current(c.recordType);
  const nextType = next.get(c.recordType, c.next.version).type;
  const sample = richSample(c.recordType);
  const written = withEnumSymbol(nextType, sample, c.enumName, FUTURE_SYMBOL);

  it('is accepted by the registry as version N+1 (and becomes current)', () => {
    expect(next.current(c.recordType).version).toBe(current.version + 1);
    expect(written.count).toBeGreaterThan(0);
  });

  it('its data, read by the current version (an old reader), falls back to the default symbol', () => {
    const bytes = next.encode(c.recordType, written.value, { now: NOW });
    const asOld = next.decode(bytes, { readerVersion: current.version });
    expect(asOld).toMatchObject({ version: current.version + 1, readerVersion: current.version });
    expect(asOld.value).toEqual(withEnumSymbol(current.type, sample, c.enumName, c.defaultSymbol).value);
    // Read as itself it keeps the new symbol (what the notary and the sink do: the writer's version is known).
    expect(next.decode(bytes).value).toEqual(written.value);
  });

  it('reads the data of every earlier version exactly', () => {
    for (const older of next.versions(c.recordType).slice(0, -1)) {
      const bytes = next.encode(c.recordType, sampleFor(older.schema, c.recordType), { version: older.version, now: NOW });
      const asNext = next.decode(bytes);
      expect(asNext.readerVersion).toBe(current.version + 1);
      // The same value as the current version reads: the added symbol changes nothing for old data.
      expect(asNext.value).toEqual(next.decode(bytes, { readerVersion: current.version }).value);
      expect(asNext.value).toMatchObject(next.decode(bytes, { readerVersion: older.version }).value as object);
    }
  });

  it('is readable by every version that has enum defaults; the legacy versions answer READER_TOO_OLD', () => {
    const bytes = next.encode(c.recordType, written.value, { now: NOW });
    for (const reader of next.versions(c.recordType).slice(0, -1)) {
      const legacy = LEGACY_WITHOUT_ENUM_DEFAULTS.has(reader.fingerprintHex);
      expect(codeOf(() => next.decode(bytes, { readerVersion: reader.version })), `reader v${reader.version}`).toBe(legacy ? 'READER_TOO_OLD' : undefined);
    }
  });
});

/** The rich sample as a value of an older version: its fields only (read through that version with lenient enums). */
function sampleFor(olderSchema: SchemaJson, recordType: Parameters<typeof richSample>[0]): unknown {
  const currentEntry = registry.current(recordType);
  const bytes = currentEntry.type.toBuffer(registry.decode(registry.encode(recordType, richSample(recordType), { now: NOW })).value);
  const lenient = Type.forSchema(mapEnums(olderSchema, (node) => ({ ...node, default: (node['symbols'] as string[])[0] })) as never, parseOptions());
  return lenient.fromBuffer(bytes, lenient.createResolver(currentEntry.type));
}

describe('the evolution rules refuse', () => {
  const replaceCurrent = (recordType: string, change: (schema: Record<string, unknown>) => unknown): SchemaSource[] => {
    const last = Math.max(...sources.filter((s) => s.recordType === recordType).map((s) => s.version));
    return sources.map((s) => (s.recordType === recordType && s.version === last ? { ...s, schema: change(structuredClone(s.schema) as Record<string, unknown>) } : s));
  };
  const nextOf = (recordType: string, change: (schema: SchemaJson) => SchemaJson): SchemaSource[] => {
    const current = registry.current(recordType as never);
    return [...sources, { recordType, version: current.version + 1, schema: change(structuredClone(current.schema)), origin: 'next' }];
  };

  it.each([
    ['a new version with an enum without a default', replaceCurrent('StudyResult', (s) => mapEnums(s as SchemaJson, (node) => (node['name'] === 'StudyKind' ? { ...node, default: undefined } : node)))],
    ['a new version that removes a symbol', nextOf('StudyResult', (s) => mapEnums(s, (node) => (node['name'] === 'Verdict' ? { ...node, symbols: (node['symbols'] as string[]).filter((x) => x !== 'FAIL') } : node)))],
    ['a new version that renames a symbol', nextOf('Incident', (s) => mapEnums(s, (node) => (node['name'] === 'Severity' ? { ...node, symbols: (node['symbols'] as string[]).map((x) => (x === 'LOW' ? 'MINOR' : x)) } : node)))],
    ['a new version that adds a required field', nextOf('OversightEvent', (s) => ({ ...(s as object), fields: [...((s as { fields: unknown[] }).fields), { name: 'extra', type: 'string' }] }))],
  ])('%s (SCHEMA_FILE_INVALID)', (_name, broken) => {
    expect(codeOf(() => SchemaRegistry.fromSources(JSON.parse(JSON.stringify(broken)) as SchemaSource[]))).toBe('SCHEMA_FILE_INVALID');
  });

  it('the same next version that adds a symbol, without the default on that enum in the current version, breaks the current reader', () => {
    // Why defaults are needed: a reader without one cannot resolve a writer with a symbol it does not know.
    const c = cases.find((x) => x.enumName === 'StudyKind')!;
    const strictCurrent = Type.forSchema(withoutEnumDefaults(registry.current('StudyResult').schema) as never, parseOptions());
    const nextType = SchemaRegistry.fromSources([...sources, c.next]).current('StudyResult').type;
    expect(() => strictCurrent.createResolver(nextType)).toThrow();
    expect(() => registry.current('StudyResult').type.createResolver(nextType)).not.toThrow();
  });
});

describe('the placeholder UNKNOWN is for readers only', () => {
  it.each(cases.filter((c) => c.defaultSymbol === 'UNKNOWN').map((c) => [`${c.recordType} ${c.enumName}`, c] as const))('%s: a record that carries it is refused on every path', (_name, c) => {
    const current = registry.current(c.recordType);
    const { value, count } = withEnumSymbol(current.type, richSample(c.recordType), c.enumName, 'UNKNOWN');
    expect(count).toBeGreaterThan(0);
    const issues = registry.validate(c.recordType, value, { now: NOW });
    expect(issues.length).toBe(count);
    expect(issues[0]!.message).toMatch(/UNKNOWN is what readers show/);
    expect(codeOf(() => registry.encode(c.recordType, value, { now: NOW }))).toBe('SCHEMA_INVALID');
    // Bytes written around the checks (a foreign emitter): the notary's one-pass check does not vouch, the full path names the issue.
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x01]), current.fingerprint, current.type.toBuffer(value)]);
    expect(registry.quickCheck(bytes, { now: NOW })).toBeNull();
    const decoded = registry.decode(bytes);
    expect(registry.validateSemantics(c.recordType, decoded.value, { now: NOW }).map((i) => i.message)).toEqual(issues.map((i) => i.message));
  });

  it('OTHER, the default of ArtifactKind, is a value like any other', () => {
    const value = withEnumSymbol(registry.current('EvidenceManifest').type, richSample('EvidenceManifest'), 'ArtifactKind', 'OTHER').value;
    expect(registry.validate('EvidenceManifest', value, { now: NOW })).toEqual([]);
    expect(registry.quickCheck(registry.encode('EvidenceManifest', value, { now: NOW }), { now: NOW })).not.toBeNull();
  });
});
