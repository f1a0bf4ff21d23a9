import type { AvroType } from './avsc.js';
import { arrayItems, branchName, isPlainObject, isRecord, logicalUnderlying, mapValues, recordFields, unionBranches } from './type-tree.js';

/**
 * Rebuilds a value as plain objects in schema order: record fields in field
 * order with defaults filled in for omitted fields, map entries in canonical
 * key order. Encoding the result is deterministic, so equal values give equal
 * bytes and the same content hash. Parts that do not fit the schema are kept
 * as they are, for validation to report.
 */
export function normalizeValue(type: AvroType, value: unknown): unknown {
  if (type.typeName.startsWith('logical:')) return normalizeValue(logicalUnderlying(type), value);
  if (isRecord(type)) return normalizeRecord(type, value);
  switch (type.typeName) {
    case 'array':
      return Array.isArray(value) ? value.map((item) => normalizeValue(arrayItems(type), item)) : value;
    case 'map':
      return normalizeMap(type, value);
    case 'union:wrapped':
      return normalizeWrappedUnion(type, value);
    case 'union:unwrapped':
      return normalizeUnwrappedUnion(type, value);
    default:
      return value;
  }
}

/**
 * Map keys in the order the encoder will write them. JS objects always list
 * integer-like keys first (ascending), then the others in insertion order; we
 * insert in code-unit order, so the written order is a pure function of the
 * key set: integer-like keys ascending, then the rest sorted.
 */
export function canonicalKeyOrder(keys: string[]): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function normalizeMap(type: AvroType, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of canonicalKeyOrder(Object.keys(value))) {
    out[key] = normalizeValue(mapValues(type), value[key]);
  }
  return out;
}

function normalizeRecord(type: AvroType, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  const declared = new Set<string>();
  for (const field of recordFields(type)) {
    declared.add(field.name);
    let fieldValue = value[field.name];
    if (fieldValue === undefined) fieldValue = field.defaultValue();
    if (fieldValue !== undefined) out[field.name] = normalizeValue(field.type, fieldValue);
  }
  for (const key of Object.keys(value)) {
    if (!declared.has(key)) out[key] = value[key];
  }
  return out;
}

function normalizeWrappedUnion(type: AvroType, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const key = keys[0] as string;
  const branch = unionBranches(type).find((candidate) => branchName(candidate) === key);
  return branch ? { [key]: normalizeValue(branch, value[key]) } : value;
}

function normalizeUnwrappedUnion(type: AvroType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  for (const branch of unionBranches(type)) {
    const candidate = normalizeValue(branch, value);
    if (branch.isValid(candidate)) return candidate;
  }
  return value;
}
