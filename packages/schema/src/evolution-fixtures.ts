import type { AvroType } from './avsc.js';
import type { SchemaJson } from './canonical-form.js';
import { enumsOf, mapEnums } from './evolution.js';
import type { RecordType } from './record-types.js';
import type { SchemaRegistry, SchemaSource } from './schema-registry.js';
import { SAMPLES } from './test-fixtures.js';
import { arrayItems, branchName, isRecord, logicalUnderlying, mapValues, recordFields, unionBranches } from './type-tree.js';

// Shared by the evolution tests here and the Apache Avro (Java) interop test.

/** The symbol a hypothetical next version adds. */
export const FUTURE_SYMBOL = 'FUTURE_SYMBOL';

/** A sample of each record type that holds every enum of its current schema at least once. */
export function richSample(recordType: RecordType): Record<string, unknown> {
  const value = SAMPLES[recordType]() as unknown as Record<string, unknown>;
  if (recordType === 'StudyResult') value['inputs'] = [{ id: 'ds', kind: 'DATASET', sha256: 'a'.repeat(64), uri: 's3://b/ds', size_bytes: null, media_type: null }];
  return value;
}

/** One case per enum of each record type's current version: the enum, its default, and the next version that adds a symbol to it. */
export interface EnumCase {
  recordType: RecordType;
  enumName: string;
  defaultSymbol: string;
  next: SchemaSource;
}

export function enumCases(registry: SchemaRegistry): EnumCase[] {
  const cases: EnumCase[] = [];
  for (const recordType of registry.recordTypes()) {
    const current = registry.current(recordType);
    for (const { name, default: defaultSymbol } of enumsOf(current.schema)) {
      const schema = mapEnums(current.schema, (node) => (node['name'] === name ? { ...node, symbols: [...(node['symbols'] as string[]), FUTURE_SYMBOL] } : node));
      cases.push({
        recordType,
        enumName: name,
        defaultSymbol: defaultSymbol as string,
        next: { recordType, version: current.version + 1, schema, origin: `${recordType}.v${current.version + 1}.avsc (adds ${FUTURE_SYMBOL} to ${name})` },
      });
    }
  }
  return cases;
}

/** The value with every occurrence of enum `enumName` set to `symbol`, and how many there were. */
export function withEnumSymbol(type: AvroType, value: unknown, enumName: string, symbol: string): { value: unknown; count: number } {
  let count = 0;
  const visit = (t: AvroType, v: unknown): unknown => {
    if (t.typeName === 'enum') {
      if (t.name?.endsWith(`.${enumName}`) || t.name === enumName) {
        count += 1;
        return symbol;
      }
      return v;
    }
    if (t.typeName.startsWith('logical:')) return visit(logicalUnderlying(t), v);
    if (v === null || v === undefined) return v;
    if (isRecord(t)) {
      const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
      for (const field of recordFields(t)) if (field.name in out) out[field.name] = visit(field.type, out[field.name]);
      return out;
    }
    if (t.typeName === 'array') return (v as unknown[]).map((item) => visit(arrayItems(t), item));
    if (t.typeName === 'map') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, item]) => [k, visit(mapValues(t), item)]));
    if (t.typeName === 'union:unwrapped') {
      const branch = unionBranches(t).find((b) => b.typeName !== 'null');
      return branch ? visit(branch, v) : v;
    }
    if (t.typeName === 'union:wrapped') {
      const [key, inner] = Object.entries(v as Record<string, unknown>)[0] as [string, unknown];
      const branch = unionBranches(t).find((b) => branchName(b) === key);
      return branch ? { [key]: visit(branch, inner) } : v;
    }
    return v;
  };
  return { value: visit(type, value), count };
}

/** The schema with every enum default removed (what canonical form ignores). */
export function withoutEnumDefaults(schema: SchemaJson): SchemaJson {
  return mapEnums(schema, ({ default: _default, ...rest }) => rest);
}
