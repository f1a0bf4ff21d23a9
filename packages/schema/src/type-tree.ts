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
