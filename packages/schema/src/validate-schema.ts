import type { AvroType } from './avsc.js';
import { describeType, describeValue } from './describe-type.js';
import { appendKey, avroBranchSpelling, formatAvscPath, type BranchSpelling } from './paths.js';
import { enumSymbols, isObjectValue, isRecord, recordFields } from './type-tree.js';
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
  // Always: avsc looks names up in plain objects, so it takes `constructor` for a declared field or an enum symbol.
  compileWalk(type, beyondAvsc, spellBranch)(value, issues);
  return issues;
}

/**
 * What avsc's check lets through: undeclared fields (the set is built once,
 * when the walk is planned), names it finds on Object.prototype, arrays as
 * records, and the map key `__proto__`, which JavaScript readers (avsc's
 * decoder among them) drop.
 */
const beyondAvsc: NodeInterest<ValidationIssue[]> = (nodeType) => {
  if (isRecord(nodeType)) {
    const declared = new Set(recordFields(nodeType).map((field) => field.name));
    return (node, issues) => {
      if (Array.isArray(node.value)) {
        // Only where avsc took it (a non-empty array it refuses itself).
        if (nodeType.isValid(node.value)) issues.push({ path: node.path, message: `expected ${describeType(nodeType)}, got ${describeValue(node.value)}` });
        return;
      }
      if (!isObjectValue(node.value)) return;
      for (const key of Object.keys(node.value)) {
        if (!declared.has(key)) issues.push({ path: appendKey(node.path, key), message: `unknown field (${nodeType.name ?? 'record'} has: ${[...declared].join(', ')})` });
      }
    };
  }
  if (nodeType.typeName === 'map') {
    return (node, issues) => {
      if (isObjectValue(node.value) && Object.prototype.hasOwnProperty.call(node.value, '__proto__')) {
        issues.push({ path: appendKey(node.path, '__proto__'), message: 'the key "__proto__" is not allowed (JavaScript readers drop it)' });
      }
    };
  }
  if (nodeType.typeName === 'enum') {
    const symbols = new Set(enumSymbols(nodeType));
    return (node, issues) => {
      if (typeof node.value === 'string' && !symbols.has(node.value) && nodeType.isValid(node.value)) {
        issues.push({ path: node.path, message: `expected ${describeType(nodeType)}, got ${describeValue(node.value)}` });
      }
    };
  }
  return null;
};
