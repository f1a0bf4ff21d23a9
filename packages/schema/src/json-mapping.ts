import type { AvroType } from './avsc.js';
import { describeType, describeValue } from './describe-type.js';
import { appendIndex, appendKey, type BranchSpelling } from './paths.js';
import { formatIsoMicros, parseIsoMicros } from './timestamps.js';
import { arrayItems, branchName, enumSymbols, isPlainObject, isRecord, logicalUnderlying, mapValues, recordFields, setEntry, unionBranches, unwrappedBranchIndex } from './type-tree.js';
import type { ValidationIssue } from './validate-schema.js';

/**
 * The JSON form of a record, for people and HTTP clients:
 * - timestamps are ISO-8601 strings with a zone (or, on input, epoch milliseconds);
 * - enums are their symbols (any letter case on input);
 * - optional fields may be left out or given as null;
 * - a union of records (`details`) is an object with one key naming the branch:
 *   `{ "training": { ... } }` — the record's name without `Details`, first letter
 *   lower case (`TrainingDetails` → `training`, `GenericDetails` → `generic`);
 * - other unions are the plain value (`"prediction": 0.93` or `"prediction": "cat"`);
 * - bytes are hex strings.
 */
export const jsonBranchSpelling: BranchSpelling = (branch) => {
  if (!isRecord(branch)) return branch.typeName;
  const short = (branch.name ?? '').split('.').pop() ?? '';
  const base = short.endsWith('Details') && short !== 'Details' ? short.slice(0, -'Details'.length) : short;
  return base.charAt(0).toLowerCase() + base.slice(1);
};

export interface Converted {
  value: unknown;
  issues: ValidationIssue[];
}

/** JSON form → Avro value, with every structural problem reported at its JSON path. */
export function jsonToAvro(type: AvroType, json: unknown, path = ''): Converted {
  const issues: ValidationIssue[] = [];
  const value = convertIn(type, json, path, issues);
  return { value, issues };
}

function convertIn(type: AvroType, json: unknown, path: string, issues: ValidationIssue[]): unknown {
  const mismatch = (): unknown => {
    issues.push({ path, message: `expected ${describeType(type)}, got ${describeValue(json)}` });
    return json;
  };
  switch (type.typeName) {
    case 'logical:timestamp-micros': {
      if (typeof json === 'string') {
        const micros = parseIsoMicros(json);
        if (typeof micros === 'string') issues.push({ path, message: micros });
        return micros;
      }
      if (typeof json === 'number' && Number.isSafeInteger(json * 1000)) return json * 1000;
      issues.push({ path, message: `expected an ISO-8601 date-time string or epoch milliseconds, got ${describeValue(json)}` });
      return json;
    }
    case 'logical:uuid':
      return typeof json === 'string' ? json.toLowerCase() : mismatch();
    case 'null':
      return json === null ? null : mismatch();
    case 'boolean':
      return typeof json === 'boolean' ? json : mismatch();
    case 'int':
    case 'long':
      return typeof json === 'number' && Number.isSafeInteger(json) ? json : mismatch();
    case 'float':
    case 'double':
      return typeof json === 'number' ? json : mismatch();
    case 'string':
      return typeof json === 'string' ? json : mismatch();
    case 'bytes':
    case 'fixed':
      return typeof json === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(json) ? Buffer.from(json, 'hex') : mismatch();
    case 'enum': {
      if (typeof json !== 'string') return mismatch();
      const symbol = enumSymbols(type).find((candidate) => candidate.toLowerCase() === json.toLowerCase());
      return symbol ?? mismatch();
    }
    case 'array':
      return Array.isArray(json) ? json.map((item, i) => convertIn(arrayItems(type), item, appendIndex(path, i), issues)) : mismatch();
    case 'map': {
      if (!isPlainObject(json)) return mismatch();
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(json)) setEntry(out, key, convertIn(mapValues(type), item, appendKey(path, key), issues));
      return out;
    }
    case 'union:wrapped':
      return convertWrappedUnion(type, json, path, issues);
    case 'union:unwrapped':
      return convertUnwrappedUnion(type, json, path, issues);
    default:
      if (isRecord(type)) return convertRecord(type, json, path, issues);
      if (type.typeName.startsWith('logical:')) return convertIn(logicalUnderlying(type), json, path, issues);
      return mismatch();
  }
}

function convertRecord(type: AvroType, json: unknown, path: string, issues: ValidationIssue[]): unknown {
  if (!isPlainObject(json)) {
    issues.push({ path, message: `expected ${describeType(type)}, got ${describeValue(json)}` });
    return json;
  }
  const out: Record<string, unknown> = {};
  const fields = recordFields(type);
  for (const field of fields) {
    const fieldPath = appendKey(path, field.name);
    const given = json[field.name];
    if (given === undefined || (given === null && field.type.typeName !== 'null' && !acceptsNull(field.type))) {
      const fallback = field.defaultValue();
      if (fallback !== undefined) out[field.name] = fallback;
      else issues.push({ path: fieldPath, message: `is required: ${describeType(field.type)}` });
      continue;
    }
    out[field.name] = convertIn(field.type, given, fieldPath, issues);
  }
  const declared = new Set(fields.map((field) => field.name));
  for (const key of Object.keys(json)) {
    if (!declared.has(key)) issues.push({ path: appendKey(path, key), message: `unknown field (${type.name ?? 'record'} has: ${[...declared].join(', ')})` });
  }
  return out;
}

function acceptsNull(type: AvroType): boolean {
  return type.typeName.startsWith('union:') && unionBranches(type).some((branch) => branch.typeName === 'null');
}

function convertWrappedUnion(type: AvroType, json: unknown, path: string, issues: ValidationIssue[]): unknown {
  const branches = unionBranches(type);
  if (json === null && branches.some((branch) => branch.typeName === 'null')) return null;
  const expected = branches.filter((branch) => branch.typeName !== 'null').map(jsonBranchSpelling);
  const keys = isPlainObject(json) ? Object.keys(json) : [];
  const branch = keys.length === 1 ? branches.find((candidate) => candidate.typeName !== 'null' && jsonBranchSpelling(candidate) === keys[0]) : undefined;
  if (!branch || !isPlainObject(json)) {
    issues.push({ path, message: `expected an object with exactly one of the keys ${expected.join(', ')}${acceptsNull(type) ? ', or null' : ''}` });
    return json;
  }
  const key = keys[0] as string;
  return { [branchName(branch)]: convertIn(branch, json[key], appendKey(path, key), issues) };
}

function convertUnwrappedUnion(type: AvroType, json: unknown, path: string, issues: ValidationIssue[]): unknown {
  const branches = unionBranches(type);
  if (json === null && branches.some((branch) => branch.typeName === 'null')) return null;
  const candidates = branches.filter((branch) => branch.typeName !== 'null');
  if (candidates.length === 1) return convertIn(candidates[0] as AvroType, json, path, issues);
  for (const branch of candidates) {
    const attempt: ValidationIssue[] = [];
    const value = convertIn(branch, json, path, attempt);
    if (attempt.length === 0) return value;
  }
  issues.push({ path, message: `expected ${describeType(type)}, got ${describeValue(json)}` });
  return json;
}

/** Avro value → JSON form (the inverse of {@link jsonToAvro} for valid values). */
export function avroToJson(type: AvroType, value: unknown): unknown {
  switch (type.typeName) {
    case 'logical:timestamp-micros':
      return typeof value === 'number' ? formatIsoMicros(value) : value;
    case 'bytes':
    case 'fixed':
      return Buffer.isBuffer(value) ? value.toString('hex') : value;
    case 'array':
      return Array.isArray(value) ? value.map((item) => avroToJson(arrayItems(type), item)) : value;
    case 'map':
      return isPlainObject(value) ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, avroToJson(mapValues(type), item)])) : value;
    case 'union:wrapped': {
      if (!isPlainObject(value)) return value;
      const [key] = Object.keys(value);
      const branch = unionBranches(type).find((candidate) => branchName(candidate) === key);
      return branch && key !== undefined ? { [jsonBranchSpelling(branch)]: avroToJson(branch, value[key]) } : value;
    }
    case 'union:unwrapped': {
      if (value === null || value === undefined) return null;
      const index = unwrappedBranchIndex(type, value);
      return index === undefined ? value : avroToJson(unionBranches(type)[index]!, value);
    }
    default:
      if (isRecord(type) && isPlainObject(value)) {
        const out: Record<string, unknown> = {};
        for (const field of recordFields(type)) if (value[field.name] !== undefined) out[field.name] = avroToJson(field.type, value[field.name]);
        return out;
      }
      if (type.typeName.startsWith('logical:')) return avroToJson(logicalUnderlying(type), value);
      return value;
  }
}
