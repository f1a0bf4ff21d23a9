import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRawPack, encodeRawPack, RAW_PACK_FINGERPRINT, RAW_PACK_SCHEMA } from '@probity/evidence';
import { defaultRegistry, fingerprint64, parsingCanonicalForm, SchemaRegistry, readSchemaSources, type RecordType, type SchemaVersion } from '@probity/schema';
import { enumCases, FUTURE_SYMBOL, richSample, withEnumSymbol, withoutEnumDefaults } from '@probity/schema/testing';
import { AvroOracle } from './avro-oracle.js';
import { toAvroJson } from './avro-json.js';

// Checks @probity/schema against the reference implementation, Apache Avro for
// Java (installed by infra/interop/install-schema.sh): canonical forms and
// fingerprints, single-object bytes in both directions, schema resolution
// between versions in both directions.

const EXAMPLES_DIR = new URL('../../../schemas/examples/', import.meta.url);
const NOW = new Date('2025-06-01T00:00:00Z');
const registry = defaultRegistry();

interface Example {
  file: string;
  recordType: RecordType;
  value: unknown;
}

function loadExamples(): Example[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const recordType = file.split('.')[0] as RecordType;
      const parsed = registry.fromJson(recordType, JSON.parse(readFileSync(new URL(file, EXAMPLES_DIR), 'utf8')), { now: NOW });
      if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.issues)}`);
      return { file, recordType, value: parsed.value };
    });
}

const text = (entry: SchemaVersion): string => JSON.stringify(entry.schema);
const writerTexts = (): string[] => registry.all().map(text);

let oracle: AvroOracle;
const examples = loadExamples();

beforeAll(() => {
  oracle = AvroOracle.start();
});

afterAll(async () => {
  await oracle?.close();
});

describe('canonical form and fingerprint agree with Apache Avro (Java)', () => {
  it.each(registry.all().map((entry) => [`${entry.recordType} v${entry.version}`, entry] as const))('%s', async (_name, entry) => {
    const java = await oracle.canonical(text(entry));
    expect(entry.canonicalForm).toBe(java.canonical);
    expect(entry.fingerprintHex).toBe(java.fingerprint);
    expect(entry.fingerprint.readBigInt64LE(0)).toBe(BigInt(java.fingerprint64));
  });

  it.each([
    ['nested namespaces and references', { type: 'record', name: 'a.Outer', fields: [{ name: 'x', type: { type: 'record', name: 'Inner', namespace: 'b', fields: [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }] } }, { name: 'y', type: 'b.Inner' }, { name: 'z', type: ['null', 'b.E'] }] }],
    ['fixed, map, array, doc and aliases stripped', { type: 'record', name: 'R', namespace: 'n', doc: 'd', aliases: ['Q'], fields: [{ name: 'f', doc: 'x', default: 'a', type: { type: 'fixed', name: 'F', size: 16 } }, { name: 'm', type: { type: 'map', values: { type: 'array', items: 'F' } } }] }],
    ['logical types dropped', { type: 'record', name: 'T', fields: [{ name: 't', type: { type: 'long', logicalType: 'timestamp-micros' } }, { name: 'u', type: { type: 'string', logicalType: 'uuid' } }] }],
  ])('%s', async (_name, schema) => {
    const java = await oracle.canonical(JSON.stringify(schema));
    expect(parsingCanonicalForm(schema)).toBe(java.canonical);
    expect(fingerprint64(schema).toString('hex')).toBe(java.fingerprint);
  });
});

describe('bytes we write decode with Apache Avro (Java)', () => {
  it.each(examples.map((example) => [example.file, example] as const))('%s', async (_file, { recordType, value }) => {
    const entry = registry.current(recordType);
    const bytes = registry.encode(recordType, value, { now: NOW });
    const decoded = await oracle.decode(writerTexts(), text(entry), bytes);
    expect(decoded).toEqual(toAvroJson(entry.schema, value));
  });
});

describe('bytes Apache Avro (Java) writes decode with ours', () => {
  it.each(examples.map((example) => [example.file, example] as const))('%s', async (_file, { recordType, value }) => {
    const entry = registry.current(recordType);
    const bytes = await oracle.encode(text(entry), toAvroJson(entry.schema, value));
    expect(bytes.subarray(0, 2).toString('hex')).toBe('c301');
    const decoded = registry.decode(bytes);
    expect(decoded).toMatchObject({ recordType, version: entry.version, fingerprint: entry.fingerprintHex });
    expect(decoded.value).toEqual(value);
    // The content hash is over our bytes: re-encoding what Java wrote must give exactly our encoding.
    expect(registry.encode(recordType, decoded.value, { now: NOW }).equals(registry.encode(recordType, value, { now: NOW }))).toBe(true);
  });
});

describe('EvidenceManifest v1 and v2 resolve both ways across implementations', () => {
  const training = examples.find((example) => example.file === 'EvidenceManifest.training.json');
  if (!training) throw new Error('EvidenceManifest.training.json example missing');
  const v1 = registry.get('EvidenceManifest', 1);
  const v2 = registry.get('EvidenceManifest', 2);
  const { risk_classification: riskClassification, ...v1Value } = training.value as Record<string, unknown>;

  it('our v1 bytes are read by Java with the v2 reader schema (new field gets its default)', async () => {
    const bytes = registry.encode('EvidenceManifest', v1Value, { version: 1, now: NOW });
    const decoded = await oracle.decode(writerTexts(), text(v2), bytes);
    expect(decoded).toEqual(toAvroJson(v2.schema, { ...v1Value, risk_classification: null }));
  });

  it('our v2 bytes are read by Java with the v1 reader schema (new field dropped)', async () => {
    expect(riskClassification).toBe('HIGH');
    const bytes = registry.encode('EvidenceManifest', training.value, { version: 2, now: NOW });
    const decoded = await oracle.decode(writerTexts(), text(v1), bytes);
    expect(decoded).toEqual(toAvroJson(v1.schema, v1Value));
  });

  it('Java v1 bytes are read by us as v2, and Java v2 bytes as v1', async () => {
    const javaV1 = await oracle.encode(text(v1), toAvroJson(v1.schema, v1Value));
    const asV2 = registry.decode(javaV1, { readerVersion: 2 });
    expect(asV2).toMatchObject({ version: 1, readerVersion: 2, fingerprint: v1.fingerprintHex });
    expect(asV2.value).toEqual({ ...v1Value, risk_classification: null });

    const javaV2 = await oracle.encode(text(v2), toAvroJson(v2.schema, training.value));
    const asV1 = registry.decode(javaV2, { readerVersion: 1 });
    expect(asV1).toMatchObject({ version: 2, readerVersion: 1, fingerprint: v2.fingerprintHex });
    expect(asV1.value).toEqual(v1Value);
  });

  it('Java finds the writer by fingerprint: without the writer schema in its store it refuses our bytes', async () => {
    const bytes = registry.encode('EvidenceManifest', v1Value, { version: 1, now: NOW });
    await expect(oracle.decode([text(v2)], text(v2), bytes)).rejects.toThrow(/MissingSchemaException/);
  });
});

describe('enum defaults: Apache Avro (Java) resolves a symbol added later as we do', () => {
  const sources = readSchemaSources();

  it.each(registry.all().map((entry) => [`${entry.recordType} v${entry.version}`, entry] as const))('%s: enum defaults do not change the fingerprint', async (_name, entry) => {
    const java = await oracle.canonical(JSON.stringify(withoutEnumDefaults(entry.schema)));
    expect(java.fingerprint).toBe(entry.fingerprintHex);
  });

  it.each(enumCases(registry).map((c) => [`${c.recordType} ${c.enumName}`, c] as const))('%s: data of a next version with a new symbol, read with the current schema', async (_name, c) => {
    const next = SchemaRegistry.fromSources([...sources, c.next]);
    const current = registry.current(c.recordType);
    const nextEntry = next.current(c.recordType);
    const sample = richSample(c.recordType);
    const written = withEnumSymbol(nextEntry.type, sample, c.enumName, FUTURE_SYMBOL).value;
    const expected = withEnumSymbol(current.type, sample, c.enumName, c.defaultSymbol).value;

    // Our bytes, Java's reader: the default symbol, as our reader gives.
    const ours = next.encode(c.recordType, written, { now: NOW });
    expect(await oracle.decode([...writerTexts(), text(nextEntry)], text(current), ours)).toEqual(toAvroJson(current.schema, expected));
    expect(next.decode(ours, { readerVersion: current.version }).value).toEqual(expected);

    // Java's bytes (map entries perhaps in another order), our reader: the default symbol as the current version, the new one as the next.
    const javas = await oracle.encode(text(nextEntry), toAvroJson(nextEntry.schema, written));
    expect(next.decode(javas, { readerVersion: current.version }).value).toEqual(expected);
    expect(next.decode(javas).value).toEqual(written);
  });

  it('a reader from before enum defaults fails on a symbol it does not know, in Java as in ours', async () => {
    const c = enumCases(registry).find((x) => x.enumName === 'Stage');
    if (!c) throw new Error('no Stage case');
    const next = SchemaRegistry.fromSources([...sources, c.next]);
    const nextEntry = next.current('EvidenceManifest');
    const bytes = next.encode('EvidenceManifest', withEnumSymbol(nextEntry.type, richSample('EvidenceManifest'), 'Stage', FUTURE_SYMBOL).value, { now: NOW });
    await expect(oracle.decode([...writerTexts(), text(nextEntry)], text(registry.get('EvidenceManifest', 1)), bytes)).rejects.toThrow(/FUTURE_SYMBOL|No match|enum/i);
    expect(() => next.decode(bytes, { readerVersion: 1 })).toThrow(/cannot read/);
  });
});

describe('raw packs (schemas/wire/RawPack.v1.avsc) across implementations', () => {
  const packSchema = JSON.stringify(RAW_PACK_SCHEMA);
  const entries = examples.map(({ recordType, value }, i): { value: Buffer; headers: Record<string, string> } => ({
    value: registry.encode(recordType, value, { now: NOW }),
    headers: i % 2 === 0 ? { 'probity-tenant': (value as { tenant: string }).tenant } : {},
  }));

  it('Java reads a pack we write: the same fingerprint, every entry byte for byte with its headers', async () => {
    const java = await oracle.canonical(packSchema);
    expect(java.fingerprint).toBe(RAW_PACK_FINGERPRINT.toString('hex'));
    const decoded = (await oracle.decode([packSchema], packSchema, encodeRawPack(entries))) as { messages: { value: string; headers: Record<string, string> }[] };
    // Avro's JSON encoding spells bytes as ISO-8859-1 code points.
    expect(decoded.messages.map((m) => Buffer.from(m.value, 'latin1').toString('hex'))).toEqual(entries.map((e) => e.value.toString('hex')));
    expect(decoded.messages.map((m) => m.headers)).toEqual(entries.map((e) => e.headers));
  });

  it('we read a pack Java writes, and each entry decodes as the record it carries', async () => {
    const bytes = await oracle.encode(packSchema, { messages: entries.map((e) => ({ value: e.value.toString('latin1'), headers: e.headers })) });
    const unpacked = decodeRawPack(bytes);
    expect(unpacked.map((m) => Buffer.from(m.value).toString('hex'))).toEqual(entries.map((e) => e.value.toString('hex')));
    expect(unpacked.map((m) => m.headers)).toEqual(entries.map((e) => e.headers));
    expect(unpacked.map((m) => registry.decode(m.value).recordType)).toEqual(examples.map((e) => e.recordType));
  });
});
