import type { AvroType } from './avsc.js';
import { arrayItems, branchName, isObjectValue, isRecord, logicalUnderlying, mapValues, plannedPerType, recordFields, setEntry, unionBranches, unwrappedBranchIndex } from './type-tree.js';

/**
 * Rebuilds a value as plain objects in schema order: record fields in field
 * order with defaults filled in for omitted fields, map entries in canonical
 * key order. Encoding the result is deterministic, so equal values give equal
 * bytes and the same content hash. Parts that do not fit the schema are kept
 * as they are, for validation to report.
 */
export function normalizeValue(type: AvroType, value: unknown): unknown {
  return normalizerOf(type)(value);
}

type Normalizer = (value: unknown) => unknown;

const identity: Normalizer = (value) => value;

// Every emitted record is normalized: the type tree is turned into closures once per type.
const normalizers = new WeakMap<AvroType, Normalizer>();

function normalizerOf(type: AvroType): Normalizer {
  return plannedPerType(normalizers, type, compileNormalizer);
}

function compileNormalizer(type: AvroType): Normalizer {
  if (type.typeName.startsWith('logical:')) return normalizerOf(logicalUnderlying(type));
  if (isRecord(type)) return recordNormalizer(type);
  switch (type.typeName) {
    case 'array': {
      const item = normalizerOf(arrayItems(type));
      return (value) => (Array.isArray(value) ? value.map((entry) => item(entry)) : value);
    }
    case 'map': {
      const item = normalizerOf(mapValues(type));
      return (value) => {
        if (!isObjectValue(value)) return value;
        const out: Record<string, unknown> = {};
        for (const key of canonicalKeyOrder(Object.keys(value))) setEntry(out, key, item(value[key]));
        return out;
      };
    }
    case 'union:wrapped':
      return wrappedUnionNormalizer(type);
    case 'union:unwrapped':
      return unwrappedUnionNormalizer(type);
    default:
      return identity;
  }
}

function recordNormalizer(type: AvroType): Normalizer {
  const fields = recordFields(type).map((field) => ({ name: field.name, field, normalize: normalizerOf(field.type) }));
  const declared = new Set(fields.map((field) => field.name));
  return (value) => {
    if (!isObjectValue(value)) return value;
    const out: Record<string, unknown> = {};
    for (const { name, field, normalize } of fields) {
      let fieldValue = value[name];
      if (fieldValue === undefined) fieldValue = field.defaultValue();
      if (fieldValue !== undefined) out[name] = normalize(fieldValue);
    }
    // Undeclared fields stay, for validation to report (`__proto__` included).
    for (const key of Object.keys(value)) {
      if (!declared.has(key)) setEntry(out, key, value[key]);
    }
    return out;
  };
}

function wrappedUnionNormalizer(type: AvroType): Normalizer {
  const byKey = new Map<string, Normalizer>();
  for (const branch of unionBranches(type)) {
    if (!byKey.has(branchName(branch))) byKey.set(branchName(branch), normalizerOf(branch));
  }
  return (value) => {
    if (!isObjectValue(value)) return value;
    const keys = Object.keys(value);
    if (keys.length !== 1) return value;
    const key = keys[0] as string;
    const normalize = byKey.get(key);
    return normalize ? { [key]: normalize(value[key]) } : value;
  };
}

/** With the branch avsc writes the value with: the one of the value's kind (see unwrappedBranchIndex). */
function unwrappedUnionNormalizer(type: AvroType): Normalizer {
  const branches = unionBranches(type).map((branch) => normalizerOf(branch));
  return (value) => {
    const index = unwrappedBranchIndex(type, value);
    return index === undefined ? value : branches[index]!(value);
  };
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
