import type { AvroType } from './avsc.js';
import { branchName, enumSymbols, isRecord, logicalUnderlying, unionBranches } from './type-tree.js';

/** A short human description of what a type accepts, for validation messages. */
export function describeType(type: AvroType): string {
  switch (type.typeName) {
    case 'logical:timestamp-micros':
      return 'a timestamp (epoch microseconds, long)';
    case 'logical:uuid':
      return 'a UUID string';
    case 'enum':
      return `one of ${enumSymbols(type).join(', ')}`;
    case 'union:wrapped':
    case 'union:unwrapped':
      return unionBranches(type).map(describeBranch).join(' or ');
    case 'long':
    case 'int':
      return `an integer (${type.typeName})`;
    case 'double':
    case 'float':
      return `a number (${type.typeName})`;
    case 'array':
      return 'an array';
    case 'map':
      return 'an object (map)';
    default:
      if (isRecord(type)) return `an object (${type.name ?? 'record'})`;
      if (type.typeName.startsWith('logical:')) return describeType(logicalUnderlying(type));
      return `a ${type.typeName}`;
  }
}

function describeBranch(type: AvroType): string {
  return type.typeName === 'null' ? 'null' : isRecord(type) ? branchName(type) : describeType(type);
}

/** What was found instead, without quoting string contents. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `${value.byteLength} bytes of binary data`;
  // Never echo string contents: evidence may hold personal data, and these messages get logged.
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'object') {
    const kind = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return kind && kind !== 'Object' ? `a ${kind}` : 'an object';
  }
  return `${typeof value} ${String(value)}`;
}
