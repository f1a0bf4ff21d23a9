import type { AvroType } from './avsc.js';
import { describeType, describeValue } from './describe-type.js';
import { appendKey, avroBranchSpelling, formatAvscPath, type BranchSpelling } from './paths.js';
import { branchName, enumSymbols, isObjectValue, isOpaqueObject, isRecord, recordFields, unionBranches } from './type-tree.js';
import { compileWalk, type NodeInterest, type VisitedNode } from './walk.js';

export interface ValidationIssue {
  /** Where in the value, e.g. `approvals[0].at`; empty for the value as a whole. */
  path: string;
  message: string;
}

/**
 * Every place where a (normalized) value does not fit its schema: wrong or
 * missing values through avsc's `isValid` error hook, and what avsc lets
 * through (see `beyondAvsc`): undeclared fields above all, because a
 * misspelt optional field would otherwise vanish silently.
 */
export function schemaIssues(type: AvroType, value: unknown, spellBranch: BranchSpelling = avroBranchSpelling): ValidationIssue[] {
  const beyond: Beyond = { issues: [], wrongKind: [] };
  compileWalk(type, beyondAvsc, spellBranch)(value, beyond);
  const issues: ValidationIssue[] = [];
  try {
    // One avsc check (no error hook) settles the usual, valid value; issues are gathered only for one it refuses.
    if (!type.isValid(value, { noUndeclaredFields: true })) {
      type.isValid(value, {
        errorHook: (segments: string[], bad: unknown, badType: AvroType) => {
          const { path, type: declared } = formatAvscPath(type, segments, spellBranch);
          const expected = describeType(declared?.typeName.startsWith('logical:') ? declared : badType);
          const message = bad === undefined ? `is required: ${expected}` : `expected ${expected}, got ${describeValue(bad)}`;
          issues.push({ path, message });
        },
      });
    }
  } catch (err) {
    // avsc turns values into property keys of plain objects: an object without a prototype, or a union keyed
    // `constructor`, makes it throw. The walk has named where; if not, say that the value cannot be checked.
    if (beyond.issues.length === 0) issues.push({ path: '', message: `cannot be checked against the schema: ${(err as Error).message}` });
  }
  // An array or binary data given as a record, map or union is one issue, not one per element or missing field.
  const underWrongKind = (path: string) => beyond.wrongKind.some((at) => path === at || path.startsWith(`${at}.`) || path.startsWith(`${at}[`));
  const kept = issues.filter((issue) => !underWrongKind(issue.path));
  const reported = new Set(kept.map((issue) => issue.path));
  return [...kept, ...beyond.issues.filter((issue) => !reported.has(issue.path))];
}

interface Beyond {
  issues: ValidationIssue[];
  /** Paths of arrays, binary data and opaque built-ins (a Map, a Date) given as a record, map or wrapped union. */
  wrongKind: string[];
}

/**
 * What avsc's check lets through or trips over, because it looks names up in
 * plain objects and takes any object for a record, map or wrapped union:
 * undeclared fields (the set is built once, when the walk is planned),
 * including names found on Object.prototype; arrays, binary data and opaque
 * built-ins (a Map, whose entries avsc would not see) given as records, maps or unions (one issue each, where avsc would give one per
 * element or missing field, or none); enum values that are not one of the symbols but
 * turn into one as a property key (`constructor`, `['INGEST']`); union keys
 * named like Object.prototype members; and the map key `__proto__`, which
 * JavaScript readers (avsc's decoder among them) drop.
 */
const beyondAvsc: NodeInterest<Beyond> = (nodeType) => {
  const wrongKind = (node: VisitedNode, context: Beyond): boolean => {
    if (!Array.isArray(node.value) && !ArrayBuffer.isView(node.value) && !isOpaqueObject(node.value)) return false;
    context.wrongKind.push(node.path);
    context.issues.push({ path: node.path, message: `expected ${describeType(nodeType)}, got ${describeValue(node.value)}` });
    return true;
  };
  if (isRecord(nodeType)) {
    const declared = new Set(recordFields(nodeType).map((field) => field.name));
    return (node, context) => {
      if (wrongKind(node, context) || !isObjectValue(node.value)) return;
      for (const key of Object.keys(node.value)) {
        if (!declared.has(key)) context.issues.push({ path: appendKey(node.path, key), message: `unknown field (${nodeType.name ?? 'record'} has: ${[...declared].join(', ')})` });
      }
    };
  }
  if (nodeType.typeName === 'map') {
    return (node, context) => {
      if (wrongKind(node, context) || !isObjectValue(node.value)) return;
      if (Object.prototype.hasOwnProperty.call(node.value, '__proto__')) {
        context.issues.push({ path: appendKey(node.path, '__proto__'), message: 'the key "__proto__" is not allowed (JavaScript readers drop it)' });
      }
    };
  }
  if (nodeType.typeName === 'union:wrapped') {
    const branchKeys = new Set(unionBranches(nodeType).map(branchName));
    return (node, context) => {
      if (wrongKind(node, context) || !isObjectValue(node.value)) return;
      const keys = Object.keys(node.value);
      if (keys.some((key) => !branchKeys.has(key) && key in Object.prototype)) {
        context.issues.push({ path: node.path, message: `expected ${describeType(nodeType)}, got an object with the keys ${keys.join(', ')}` });
      }
    };
  }
  if (nodeType.typeName === 'enum') {
    const symbols = new Set(enumSymbols(nodeType));
    return (node, context) => {
      if (typeof node.value === 'string' && symbols.has(node.value)) return;
      if (takenByAvsc(nodeType, node.value)) context.issues.push({ path: node.path, message: `expected ${describeType(nodeType)}, got ${describeValue(node.value)}` });
    };
  }
  return null;
};

/** Whether avsc's check takes the value, or throws on it (it then reports nothing itself). */
function takenByAvsc(type: AvroType, value: unknown): boolean {
  try {
    return type.isValid(value);
  } catch {
    return true;
  }
}
