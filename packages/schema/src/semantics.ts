import type { AvroType } from './avsc.js';
import { isTimestampMicros, isUuid } from './logical-types.js';
import { avroBranchSpelling, type BranchSpelling } from './paths.js';
import type { ValidationIssue } from './validate-schema.js';
import { compileWalk, type NodeInterest, type VisitedNode } from './walk.js';

export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** `<framework>:<control id>`, e.g. `iso42001:A.6.2.4`, `iso27001:A.8.16`, `euaiact:Art.12`. */
export const CONTROL_PATTERN = /^[a-z0-9]+:[A-Za-z0-9._-]+$/;
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COMMIT_SHA_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** 2000-01-01T00:00:00Z: evidence older than this is a unit mistake (seconds or millis sent as micros). */
export const EARLIEST_TIMESTAMP_MICROS = 946_684_800_000_000;
/** Clocks drift, but not by more than a day. */
export const MAX_FUTURE_SKEW_MICROS = 86_400_000_000;

export interface SemanticOptions {
  /**
   * The clock that "not in the future" is judged against.
   * @defaultValue `new Date()`
   */
  now?: Date;
}

/**
 * Rules a notary enforces beyond what Avro can express. They are found from
 * the schema, so every record type (and every future version) gets them:
 * - top-level `tenant` matches {@link TENANT_PATTERN};
 * - every entry of the top-level `controls` matches {@link CONTROL_PATTERN};
 * - every `sha256` / `*_sha256` string is 64 lowercase hex characters;
 * - every timestamp-micros is after 2000-01-01 and at most a day after `now`;
 * - every UUID is in lowercase canonical form;
 * - every required string named `id` or `*_id`, and every `principal`/`role`
 *   string (approvals), is not blank;
 * - `commit_sha` is a full 40- or 64-character lowercase hex revision;
 * - no enum value is its placeholder default `UNKNOWN` (see {@link placeholderSymbol});
 * - time spans (`started_at`..`finished_at`, window `from`..`to`) are not reversed;
 *   counts and sizes, latencies and p-values are in range.
 */
export function semanticIssues(type: AvroType, value: unknown, options: SemanticOptions = {}, spellBranch: BranchSpelling = avroBranchSpelling): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const nowMicros = (options.now ?? new Date()).getTime() * 1000;
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  compileWalk(type, semanticRule, spellBranch)(value, { latestMicros: nowMicros + MAX_FUTURE_SKEW_MICROS, add });

  if (typeof value === 'object' && value !== null) {
    const top = value as Record<string, unknown>;
    if (typeof top['tenant'] === 'string' && !TENANT_PATTERN.test(top['tenant'])) {
      add('tenant', 'must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit');
    }
    if (Array.isArray(top['controls'])) {
      top['controls'].forEach((control, i) => {
        if (typeof control === 'string' && !CONTROL_PATTERN.test(control)) add(`controls[${i}]`, 'must look like <framework>:<control>, e.g. iso42001:A.6.2.4');
      });
    }
    checkSpan(top, 'started_at', 'finished_at', '', add);
    for (const window of ['reference_window', 'current_window']) {
      const span = top[window];
      if (typeof span === 'object' && span !== null) checkSpan(span as Record<string, unknown>, 'from', 'to', window, add);
    }
  }
  return issues;
}

interface RuleContext {
  latestMicros: number;
  add: (path: string, message: string) => void;
}

/** A rule's verdict on a value: the problem, or null when it is fine. */
export type ValueRule<T> = (value: T) => string | null;

/** The rules of a node, chosen once per schema node (by its type and field name), not once per value. */
const semanticRule: NodeInterest<RuleContext> = (type, fieldName) => {
  if (isTimestampMicros(type) || isUuid(type)) {
    const timestamp = isTimestampMicros(type);
    const fieldRules = ruleOfField(type, fieldName);
    return (node, context) => {
      const { value } = node;
      if (timestamp && typeof value === 'number') {
        if (value < EARLIEST_TIMESTAMP_MICROS) context.add(node.path, `timestamp ${value} is before 2000-01-01 (is it in seconds or milliseconds instead of microseconds?)`);
        else if (value > context.latestMicros) context.add(node.path, `timestamp ${new Date(Math.floor(value / 1000)).toISOString()} is more than a day in the future`);
        return;
      }
      if (!timestamp && typeof value === 'string') {
        if (!UUID_PATTERN.test(value)) context.add(node.path, 'must be a UUID in lowercase canonical form (8-4-4-4-12 hex digits)');
        return;
      }
      fieldRules?.(node, context);
    };
  }
  const fieldRules = ruleOfField(type, fieldName);
  const placeholder = placeholderSymbol(type);
  if (placeholder === undefined) return fieldRules;
  return (node, context) => {
    if (node.value === placeholder) context.add(node.path, PLACEHOLDER_MESSAGE);
    else fieldRules?.(node, context);
  };
};

/** Readers put an enum's default `UNKNOWN` in place of a symbol added after their version. */
export const PLACEHOLDER_SYMBOL = 'UNKNOWN';
const PLACEHOLDER_MESSAGE = `${PLACEHOLDER_SYMBOL} is what readers show for a value added after their schema version; write the actual value`;

/**
 * The symbol of an enum that no record may carry: its default when that is
 * `UNKNOWN` (a reader's placeholder, not a fact). `OTHER` and other defaults
 * that mean something stay writable.
 */
export function placeholderSymbol(type: AvroType): string | undefined {
  return type.typeName === 'enum' && (type as unknown as { default?: string }).default === PLACEHOLDER_SYMBOL ? PLACEHOLDER_SYMBOL : undefined;
}

function ruleOfField(type: AvroType, fieldName: string | undefined): ((node: VisitedNode, context: RuleContext) => void) | null {
  // A union node and its branch share the field name; judge the branch only.
  if (fieldName === undefined || type.typeName.startsWith('union:')) return null;
  const stringRule = stringRuleOf(fieldName);
  const numberRule = numberRuleOf(fieldName);
  if (!stringRule && !numberRule) return null;
  return (node, context) => {
    const { value } = node;
    const problem = typeof value === 'string' ? stringRule?.(value) : typeof value === 'number' ? numberRule?.(value) : null;
    if (problem) context.add(node.path, problem);
  };
}

/** The rule on strings (and enum symbols) of a field of this name, wherever it is. */
export function stringRuleOf(fieldName: string): ValueRule<string> | null {
  if (fieldName === 'sha256' || fieldName.endsWith('_sha256')) {
    return (value) => (SHA256_PATTERN.test(value) ? null : 'must be a SHA-256 digest: 64 lowercase hex characters');
  }
  if (fieldName === 'commit_sha') {
    return (value) => (COMMIT_SHA_PATTERN.test(value) ? null : 'must be a full commit hash: 40 or 64 lowercase hex characters');
  }
  if (fieldName === 'id' || fieldName.endsWith('_id') || fieldName === 'principal' || fieldName === 'role') {
    return (value) => (value.trim() === '' ? 'must not be blank' : null);
  }
  return null;
}

const NON_NEGATIVE_FIELDS = new Set(['size_bytes', 'sample_size', 'row_count', 'input_tokens', 'output_tokens', 'duration_ms', 'latency_ms']);

/** The rule on numbers (not timestamps) of a field of this name, wherever it is. */
export function numberRuleOf(fieldName: string): ValueRule<number> | null {
  if (NON_NEGATIVE_FIELDS.has(fieldName)) return (value) => (value >= 0 ? null : 'must not be negative');
  if (fieldName === 'p_value') return (value) => (value >= 0 && value <= 1 ? null : 'must be between 0 and 1');
  return null;
}

/** Fields whose rules look at two fields at once (checkSpan): the one-pass checks leave such record types to the walk. */
export const CROSS_FIELD_NAMES: ReadonlySet<string> = new Set(['started_at', 'finished_at', 'reference_window', 'current_window']);

function checkSpan(record: Record<string, unknown>, fromField: string, toField: string, prefix: string, add: (path: string, message: string) => void): void {
  const from = record[fromField];
  const to = record[toField];
  if (typeof from === 'number' && typeof to === 'number' && from > to) {
    add(prefix === '' ? toField : `${prefix}.${toField}`, `must not be before ${fromField}`);
  }
}
