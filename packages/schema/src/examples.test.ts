import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from './default-registry.js';
import { isRecordType } from './record-types.js';

// The examples in schemas/examples/ (and in schemas/README.md) are what people
// copy: they must stay valid and survive JSON → Avro → bytes → Avro → JSON.
const EXAMPLES_DIR = new URL('../../../schemas/examples/', import.meta.url);
const NOW = new Date('2025-06-01T00:00:00Z');
const registry = defaultRegistry();
const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();

describe('schemas/examples', () => {
  it('has an example of every record type', () => {
    expect(new Set(files.map((file) => file.split('.')[0]))).toEqual(new Set(registry.recordTypes()));
  });

  it('are the examples shown in schemas/README.md, word for word', () => {
    const readme = readFileSync(new URL('../README.md', EXAMPLES_DIR), 'utf8');
    for (const file of files) expect(readme).toContain(readFileSync(new URL(file, EXAMPLES_DIR), 'utf8').trim());
  });

  it.each(files.map((file) => [file]))('%s validates and round-trips', (file) => {
    const recordType = file.split('.')[0] as string;
    if (!isRecordType(recordType)) throw new Error(`${file}: unknown record type ${recordType}`);
    const json = JSON.parse(readFileSync(new URL(file, EXAMPLES_DIR), 'utf8')) as unknown;
    const parsed = registry.fromJson(recordType, json, { now: NOW });
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    if (!parsed.ok) return;
    expect(registry.validate(recordType, parsed.value, { now: NOW })).toEqual([]);
    const decoded = registry.decode(registry.encode(recordType, parsed.value, { now: NOW }));
    expect(decoded.value).toEqual(parsed.value);
    const output = registry.toJson(recordType, decoded.value);
    expect(registry.fromJson(recordType, output, { now: NOW })).toEqual({ ok: true, value: parsed.value });
  });
});
