import type { AvroType } from './avsc.js';

// Narrow views of avsc's type classes: its typings expose these fields only on
// the subclasses, and we dispatch on `typeName`.
export interface FieldView {
  name: string;
  type: AvroType;
  defaultValue(): unknown;
}

export function recordFields(type: AvroType): FieldView[] {
  return (type as unknown as { fields: FieldView[] }).fields;
}

export function arrayItems(type: AvroType): AvroType {
  return (type as unknown as { itemsType: AvroType }).itemsType;
}

export function mapValues(type: AvroType): AvroType {
  return (type as unknown as { valuesType: AvroType }).valuesType;
}

export function unionBranches(type: AvroType): AvroType[] {
  return (type as unknown as { types: AvroType[] }).types;
}

export function logicalUnderlying(type: AvroType): AvroType {
  return (type as unknown as { underlyingType: AvroType }).underlyingType;
}

export function enumSymbols(type: AvroType): string[] {
  return (type as unknown as { symbols: string[] }).symbols;
}

/** The key a wrapped union uses for a branch: full name for named types, type name otherwise. */
export function branchName(type: AvroType): string {
  return type.branchName ?? type.typeName;
}

export function isRecord(type: AvroType): boolean {
  return type.typeName === 'record' || type.typeName === 'error';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * An object that normalizing and the walks treat as a record, map or
 * wrapped union. avsc's checks take any object but an array for these (a
 * record may be a class instance; fields are read by name), so these follow
 * avsc, and what it writes is what was normalized and judged. Arrays,
 * binary data and opaque built-ins (avsc takes them too) are refused by
 * validation instead.
 */
export function isObjectValue(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && !isOpaqueObject(value);
}

/**
 * Built-in objects whose contents are not own properties: avsc would read
 * none of them (a Map given for a map field would be written empty), so
 * validation refuses them where a record, map or union is expected.
 */
export function isOpaqueObject(value: unknown): boolean {
  return value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet || value instanceof Date || value instanceof RegExp || value instanceof Promise;
}

/** `target[key] = value`, except that a `__proto__` key becomes an own entry instead of replacing the prototype. */
export function setEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** avsc's getTypeBucket: the kind of value a branch of an unwrapped union takes; undefined for logical types. */
export function bucketOfType(type: AvroType): string | undefined {
  switch (type.typeName) {
    case 'double':
    case 'float':
    case 'int':
    case 'long':
      return 'number';
    case 'bytes':
    case 'fixed':
      return 'buffer';
    case 'enum':
      return 'string';
    case 'map':
    case 'record':
    case 'error':
      return 'object';
    default:
      return type.typeName.startsWith('logical:') ? undefined : type.typeName;
  }
}

/** avsc's getValueBucket. */
export function bucketOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Buffer.isBuffer(value)) return 'buffer';
  return typeof value;
}

/**
 * The branch avsc checks and writes a value of an unwrapped union with (its
 * `_getIndex`): the branch of the value's kind, or the logical branch that
 * takes the value; undefined if none does, or if two do (avsc refuses the
 * value as an "ambiguous conversion").
 */
export function unwrappedBranchIndex(type: AvroType, value: unknown): number | undefined {
  let plan = unwrappedPlans.get(type);
  if (!plan) {
    const branches = unionBranches(type);
    const byBucket = new Map<string, number>();
    const logical: number[] = [];
    branches.forEach((branch, i) => {
      const bucket = bucketOfType(branch);
      if (bucket === undefined) logical.push(i);
      else byBucket.set(bucket, i);
    });
    unwrappedPlans.set(type, (plan = { branches, byBucket, logical }));
  }
  let index = plan.byBucket.get(bucketOfValue(value));
  for (const i of plan.logical) {
    if (!plan.branches[i]!.isValid(value)) continue;
    if (index !== undefined) return undefined;
    index = i;
  }
  return index;
}

const unwrappedPlans = new WeakMap<AvroType, { branches: AvroType[]; byBucket: Map<string, number>; logical: number[] }>();

/**
 * A function planned once per type and kept in `cache` (per-record work such
 * as scanning or normalizing then walks closures, not the type tree). While a
 * type is being planned its entry forwards to the finished plan, which breaks
 * the cycle of a recursive record type.
 */
export function plannedPerType<A, R>(cache: WeakMap<AvroType, (arg: A) => R>, type: AvroType, plan: (type: AvroType) => (arg: A) => R): (arg: A) => R {
  let planned = cache.get(type);
  if (!planned) {
    let finished: ((arg: A) => R) | undefined;
    cache.set(type, (arg) => finished!(arg));
    finished = plan(type);
    cache.set(type, finished);
    planned = finished;
  }
  return planned;
}

/**
 * Plans made once per (type, field name), as the walks and one-pass checks
 * make them. A record type that contains itself is met again while it is
 * being planned: the caller then gets `forward(finished)`, a plan that calls
 * through to the finished one when it runs.
 */
export class PlanMemo<P> {
  private readonly plans = new Map<AvroType, Map<string | undefined, P | 'pending'>>();

  plan(type: AvroType, fieldName: string | undefined, compile: () => P, forward: (finished: () => P) => P): P {
    let byField = this.plans.get(type);
    if (!byField) this.plans.set(type, (byField = new Map()));
    const known = byField.get(fieldName);
    if (known === 'pending') return forward(() => byField.get(fieldName) as P);
    if (known !== undefined) return known;
    byField.set(fieldName, 'pending');
    const planned = compile();
    byField.set(fieldName, planned);
    return planned;
  }
}
