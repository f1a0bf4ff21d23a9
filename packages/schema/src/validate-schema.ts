import type { AvroType } from './avsc.js';
import { describeType, describeValue } from './describe-type.js';
import { appendKey, avroBranchSpelling, formatAvscPath, type BranchSpelling } from './paths.js';
import { isPlainObject, isRecord, recordFields } from './type-tree.js';
import { compileWalk, type NodeInterest } from './walk.js';

export interface ValidationIssue {
  /** Where in the value, e.g. `approvals[0].at`; empty for the value as a whole. */
  path: string;
  message: string;
}

/**
 * Every place where a (normalized) value does not fit its schema: wrong or
 * missing values through avsc's `isValid` error hook, and undeclared fields,
 * which avsc would stop at without looking further. Undeclared fields are
 * errors because a misspelt optional field would otherwise vanish silently.
 */
export function schemaIssues(type: AvroType, value: unknown, spellBranch: BranchSpelling = avroBranchSpelling): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
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
  // Always: avsc looks fields up in a plain object, so it takes a key such as `constructor` for a declared field.
  compileWalk(type, undeclaredFields, spellBranch)(value, issues);
  return issues;
}

/** Record nodes report the keys their record type does not declare (the set is built once, when the walk is planned). */
const undeclaredFields: NodeInterest<ValidationIssue[]> = (nodeType) => {
  if (!isRecord(nodeType)) return null;
  const declared = new Set(recordFields(nodeType).map((field) => field.name));
  return (node, issues) => {
    if (!isPlainObject(node.value)) return;
    for (const key of Object.keys(node.value)) {
      if (!declared.has(key)) issues.push({ path: appendKey(node.path, key), message: `unknown field (${nodeType.name ?? 'record'} has: ${[...declared].join(', ')})` });
    }
  };
};
