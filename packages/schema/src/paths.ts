import type { AvroType } from './avsc.js';
import { arrayItems, branchName, isRecord, logicalUnderlying, mapValues, recordFields, unionBranches } from './type-tree.js';

/**
 * How to spell a wrapped-union branch in a path: Avro values key it by the
 * branch's full name, the JSON form by a short name (see json-mapping).
 */
export type BranchSpelling = (branch: AvroType) => string;

export const avroBranchSpelling: BranchSpelling = (branch) => branchName(branch);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function appendKey(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function appendIndex(path: string, index: number): string {
  return `${path}[${index}]`;
}

/**
 * Turns avsc's errorHook path (all segments are strings) into `approvals[0].at`
 * by following the type; also returns the declared type found there (avsc
 * reports a logical type's underlying type, which makes a poorer message).
 */
export function formatAvscPath(
  root: AvroType,
  segments: readonly string[],
  spellBranch: BranchSpelling = avroBranchSpelling,
): { path: string; type: AvroType | undefined } {
  let type: AvroType | undefined = root;
  let path = '';
  for (const segment of segments) {
    type = type && stripUnwrapped(stripLogical(type));
    if (type && isRecord(type)) {
      path = appendKey(path, segment);
      type = recordFields(type).find((field) => field.name === segment)?.type;
    } else if (type?.typeName === 'array') {
      path = appendIndex(path, Number(segment));
      type = arrayItems(type);
    } else if (type?.typeName === 'map') {
      path = appendKey(path, segment);
      type = mapValues(type);
    } else if (type?.typeName === 'union:wrapped') {
      const branch: AvroType | undefined = unionBranches(type).find((candidate) => branchName(candidate) === segment);
      path = appendKey(path, branch ? spellBranch(branch) : segment);
      type = branch;
    } else {
      path = appendKey(path, segment);
      type = undefined;
    }
  }
  return { path, type };
}

function stripLogical(type: AvroType): AvroType {
  return type.typeName.startsWith('logical:') ? logicalUnderlying(type) : type;
}

// avsc descends into an unwrapped union's branch without a path segment.
function stripUnwrapped(type: AvroType): AvroType {
  if (type.typeName !== 'union:unwrapped') return type;
  return unionBranches(type).find((branch) => isRecord(branch) || branch.typeName === 'array' || branch.typeName === 'map') ?? type;
}
