import type { AvroType } from './avsc.js';
import { appendIndex, appendKey, avroBranchSpelling, type BranchSpelling } from './paths.js';
import { arrayItems, branchName, isPlainObject, isRecord, logicalUnderlying, mapValues, recordFields, unionBranches } from './type-tree.js';

export interface VisitedNode {
  type: AvroType;
  value: unknown;
  /** Where the node is, e.g. `inputs[0].sha256`; built on first read (most visits never need it). */
  readonly path: string;
  /** The record field this node is the value of, if it is one. */
  fieldName: string | undefined;
}

/** A path as a chain of steps, spelled only when asked: validating a record builds no strings unless it has issues. */
type PathStep = { parent: PathStep; key: string } | { parent: PathStep; index: number } | null;

function spell(step: PathStep): string {
  if (step === null) return '';
  return 'key' in step ? appendKey(spell(step.parent), step.key) : appendIndex(spell(step.parent), step.index);
}

class Node implements VisitedNode {
  private spelled: string | undefined;
  constructor(
    readonly type: AvroType,
    readonly value: unknown,
    private readonly step: PathStep,
    readonly fieldName: string | undefined,
  ) {}
  get path(): string {
    return (this.spelled ??= spell(this.step));
  }
}

/**
 * Visits every node of a value alongside its type, depth first, descending
 * only where the value has the shape the type expects (validation reports the
 * rest). Logical types are visited once with their logical type.
 */
export function walkValue(
  type: AvroType,
  value: unknown,
  visit: (node: VisitedNode) => void,
  spellBranch: BranchSpelling = avroBranchSpelling,
): void {
  walk(type, value, null, undefined, visit, spellBranch);
}

function walk(
  type: AvroType,
  value: unknown,
  path: PathStep,
  fieldName: string | undefined,
  visit: (node: VisitedNode) => void,
  spellBranch: BranchSpelling,
): void {
  visit(new Node(type, value, path, fieldName));
  if (type.typeName.startsWith('logical:')) {
    const underlying = logicalUnderlying(type);
    // Our logical types sit on primitives; descend only if one ever wraps a structure.
    if (underlying.typeName !== type.typeName && !isPrimitiveName(underlying.typeName)) walk(underlying, value, path, fieldName, visit, spellBranch);
    return;
  }
  if (isRecord(type)) {
    if (!isPlainObject(value)) return;
    for (const field of recordFields(type)) {
      if (value[field.name] !== undefined) walk(field.type, value[field.name], { parent: path, key: field.name }, field.name, visit, spellBranch);
    }
    return;
  }
  switch (type.typeName) {
    case 'array':
      if (Array.isArray(value)) value.forEach((item, i) => walk(arrayItems(type), item, { parent: path, index: i }, undefined, visit, spellBranch));
      return;
    case 'map':
      if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) walk(mapValues(type), item, { parent: path, key }, undefined, visit, spellBranch);
      return;
    case 'union:wrapped': {
      if (!isPlainObject(value)) return;
      const [key] = Object.keys(value);
      const branch = unionBranches(type).find((candidate) => branchName(candidate) === key);
      if (branch && key !== undefined) walk(branch, value[key], { parent: path, key: spellBranch(branch) }, undefined, visit, spellBranch);
      return;
    }
    case 'union:unwrapped': {
      if (value === null || value === undefined) return;
      const branch = unionBranches(type).find((candidate) => candidate.typeName !== 'null' && candidate.isValid(value));
      if (branch) walk(branch, value, path, fieldName, visit, spellBranch);
      return;
    }
    default:
      return;
  }
}

function isPrimitiveName(typeName: string): boolean {
  return ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'].includes(typeName);
}
