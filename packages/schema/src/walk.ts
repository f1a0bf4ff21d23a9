import type { AvroType } from './avsc.js';
import { appendIndex, appendKey, avroBranchSpelling, type BranchSpelling } from './paths.js';
import { arrayItems, branchName, isObjectValue, isRecord, logicalUnderlying, mapValues, PlanMemo, recordFields, unionBranches, unwrappedBranchIndex } from './type-tree.js';

export interface VisitedNode {
  type: AvroType;
  value: unknown;
  /** Where the node is, e.g. `inputs[0].sha256`; built on first read (most visits never need it). */
  readonly path: string;
  /** The record field this node is the value of, if it is one. */
  fieldName: string | undefined;
}

/** What to do at a node of this type (reached as this field, if any); null where there is nothing to check. */
export type NodeInterest<C> = (type: AvroType, fieldName: string | undefined) => ((node: VisitedNode, context: C) => void) | null;

/** A walk compiled for one type: call it once per value. */
export type CompiledWalk<C> = (value: unknown, context: C) => void;

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

type Visit<C> = (value: unknown, step: PathStep, context: C) => void;

const compiled = new WeakMap<NodeInterest<never>, WeakMap<BranchSpelling, WeakMap<AvroType, CompiledWalk<never>>>>();

/**
 * Visits every node of a value that `interest` has something for, depth
 * first, descending only where the value has the shape the type expects
 * (validation reports the rest). Logical types are visited once with their
 * logical type. The walk is planned once per type and interest: subtrees
 * without a node of interest are never entered, and the type tree is not
 * searched again for each value (validation runs on every manifest, twice).
 *
 * An unwrapped union descends into the branch avsc writes the value with
 * (the one of the value's kind), as normalize.ts does.
 */
export function compileWalk<C>(type: AvroType, interest: NodeInterest<C>, spellBranch: BranchSpelling = avroBranchSpelling): CompiledWalk<C> {
  let bySpelling = compiled.get(interest as NodeInterest<never>);
  if (!bySpelling) compiled.set(interest as NodeInterest<never>, (bySpelling = new WeakMap()));
  let byType = bySpelling.get(spellBranch);
  if (!byType) bySpelling.set(spellBranch, (byType = new WeakMap()));
  let walk = byType.get(type) as CompiledWalk<C> | undefined;
  if (!walk) {
    const visit = new Planner(interest, spellBranch).plan(type, undefined);
    walk = visit ? (value, context) => visit(value, null, context) : () => undefined;
    byType.set(type, walk as CompiledWalk<never>);
  }
  return walk;
}

class Planner<C> {
  private readonly memo = new PlanMemo<Visit<C> | null>();

  constructor(
    private readonly interest: NodeInterest<C>,
    private readonly spellBranch: BranchSpelling,
  ) {}

  plan(type: AvroType, fieldName: string | undefined): Visit<C> | null {
    return this.memo.plan(
      type,
      fieldName,
      () => both(this.self(type, fieldName), this.descend(type, fieldName)),
      (finished) => (value, step, context) => finished()?.(value, step, context),
    );
  }

  private self(type: AvroType, fieldName: string | undefined): Visit<C> | null {
    const check = this.interest(type, fieldName);
    return check ? (value, step, context) => check(new Node(type, value, step, fieldName), context) : null;
  }

  private descend(type: AvroType, fieldName: string | undefined): Visit<C> | null {
    if (type.typeName.startsWith('logical:')) {
      const underlying = logicalUnderlying(type);
      // Our logical types sit on primitives; descend only if one ever wraps a structure.
      return underlying.typeName !== type.typeName && !isPrimitiveName(underlying.typeName) ? this.plan(underlying, fieldName) : null;
    }
    if (isRecord(type)) return this.record(type);
    switch (type.typeName) {
      case 'array': {
        const item = this.plan(arrayItems(type), undefined);
        if (!item) return null;
        return (value, step, context) => {
          if (!Array.isArray(value)) return;
          for (let i = 0; i < value.length; i++) item(value[i], { parent: step, index: i }, context);
        };
      }
      case 'map': {
        const item = this.plan(mapValues(type), undefined);
        if (!item) return null;
        return (value, step, context) => {
          if (!isObjectValue(value)) return;
          for (const key of Object.keys(value)) item(value[key], { parent: step, key }, context);
        };
      }
      case 'union:wrapped':
        return this.wrappedUnion(type);
      case 'union:unwrapped':
        return this.unwrappedUnion(type, fieldName);
      default:
        return null;
    }
  }

  private record(type: AvroType): Visit<C> | null {
    const fields: { name: string; visit: Visit<C> }[] = [];
    for (const field of recordFields(type)) {
      const visit = this.plan(field.type, field.name);
      if (visit) fields.push({ name: field.name, visit });
    }
    if (fields.length === 0) return null;
    return (value, step, context) => {
      if (!isObjectValue(value)) return;
      for (const field of fields) {
        const fieldValue = value[field.name];
        if (fieldValue !== undefined) field.visit(fieldValue, { parent: step, key: field.name }, context);
      }
    };
  }

  private wrappedUnion(type: AvroType): Visit<C> | null {
    const byKey = new Map<string, { spelled: string; visit: Visit<C> | null }>();
    for (const branch of unionBranches(type)) {
      const key = branchName(branch);
      // The first branch of a name wins, as in a lookup by key.
      if (!byKey.has(key)) byKey.set(key, { spelled: this.spellBranch(branch), visit: this.plan(branch, undefined) });
    }
    if (![...byKey.values()].some((entry) => entry.visit)) return null;
    return (value, step, context) => {
      if (!isObjectValue(value)) return;
      for (const key in value) {
        const entry = byKey.get(key);
        if (entry?.visit) entry.visit(value[key], { parent: step, key: entry.spelled }, context);
        return;
      }
    };
  }

  /** Into the branch avsc writes the value with (unwrappedBranchIndex), as the normalizer does. */
  private unwrappedUnion(type: AvroType, fieldName: string | undefined): Visit<C> | null {
    const visits = unionBranches(type).map((branch) => (branch.typeName === 'null' ? null : this.plan(branch, fieldName)));
    if (!visits.some(Boolean)) return null;
    return (value, step, context) => {
      if (value === null || value === undefined) return;
      const index = unwrappedBranchIndex(type, value);
      if (index !== undefined) visits[index]?.(value, step, context);
    };
  }
}

function both<C>(first: Visit<C> | null, second: Visit<C> | null): Visit<C> | null {
  if (!first || !second) return first ?? second;
  return (value, step, context) => {
    first(value, step, context);
    second(value, step, context);
  };
}

function isPrimitiveName(typeName: string): boolean {
  return ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'].includes(typeName);
}
