import type { AvroType } from './avsc.js';
import { isTimestampMicros, isUuid } from './logical-types.js';
import { CROSS_FIELD_NAMES, EARLIEST_TIMESTAMP_MICROS, numberRuleOf as semanticNumberRuleOf, placeholderSymbol } from './semantics.js';
import { arrayItems, enumSymbols, isRecord, logicalUnderlying, mapValues, PlanMemo, recordFields, unionBranches } from './type-tree.js';

/**
 * A one-pass check of a body for the notary's hot path: the bytes are read
 * once against the writer schema, as the body scanner reads them, and the
 * semantic rules (semantics.ts) are applied to the values in place, without
 * building the value avsc would decode. It answers only "clean" (with the
 * tenant) or "not sure": whatever it cannot vouch for (a rule that fails, a
 * malformed body, a record type with cross-field rules, a union whose branch
 * choice the value walk might make differently) goes back to the full decode
 * and semantic walk, which names every issue. So it need only be sound for
 * acceptance, and a test holds it to that: clean here ⇒ no issue there.
 * (A full decode and walk was ~35% of the notary's own CPU per manifest.)
 */
export interface BodyCheck {
  clean: boolean;
  /** The top-level `tenant`, when clean. */
  tenant: string | undefined;
}

interface Cursor {
  buf: Buffer;
  pos: number;
  latestMicros: number;
  suspect: boolean;
  tenant: string | undefined;
  /** The last number a numeric reader saw (for field rules on numbers). */
  n: number;
}

type Checker = (cursor: Cursor) => void;

/** Thrown inside a check: the body is not what the fast path can vouch for. Never escapes checkBody. */
class NotSure extends Error {}
const notSure = new NotSure('not sure');

/** The body scanner's cap on zero-width items (body-scanner.ts); no block longer than this is vouched for. */
const MAX_BLOCK_ITEMS = 1_000_000;

const topLevel = new WeakMap<AvroType, Checker>();

export function checkBody(type: AvroType, body: Buffer, latestMicros: number): BodyCheck {
  let check = topLevel.get(type);
  if (!check) topLevel.set(type, (check = new Planner().top(type)));
  const cursor: Cursor = { buf: body, pos: 0, latestMicros, suspect: false, tenant: undefined, n: 0 };
  try {
    check(cursor);
  } catch {
    return { clean: false, tenant: undefined };
  }
  const clean = !cursor.suspect && cursor.pos === body.length && cursor.tenant !== undefined;
  return { clean, tenant: clean ? cursor.tenant : undefined };
}

interface Planned {
  check: Checker;
  /** Whether any rule applies at or below this node. */
  ruled: boolean;
}

class Planner {
  private readonly memo = new PlanMemo<Planned>();

  top(type: AvroType): Checker {
    if (!isRecord(type)) return alwaysSuspect;
    const fields = recordFields(type);
    if (fields.some((field) => CROSS_FIELD_NAMES.has(field.name))) {
      return (cursor) => {
        cursor.suspect = true;
        throw notSure;
      };
    }
    const checks = fields.map((field) => {
      if (field.name === 'tenant') return field.type.typeName === 'string' ? readTenant : alwaysSuspect;
      if (field.name === 'controls') {
        const items = field.type.typeName === 'array' ? arrayItems(field.type) : undefined;
        return items?.typeName === 'string' ? (cursor: Cursor) => blocks(cursor, readControl) : alwaysSuspect;
      }
      return this.plan(field.type, field.name).check;
    });
    return (cursor) => {
      for (let i = 0; i < checks.length; i++) checks[i]!(cursor);
    };
  }

  private plan(type: AvroType, fieldName: string | undefined): Planned {
    // A type that contains itself is assumed ruled.
    return this.memo.plan(type, fieldName, () => this.compile(type, fieldName), (finished) => ({ check: (cursor) => finished().check(cursor), ruled: true }));
  }

  private compile(type: AvroType, fieldName: string | undefined): Planned {
    if (isTimestampMicros(type)) return { check: readTimestamp, ruled: true };
    if (isUuid(type)) return { check: readUuid, ruled: true };
    if (type.typeName.startsWith('logical:')) return this.plan(logicalUnderlying(type), fieldName);
    if (isRecord(type)) {
      const planned = recordFields(type).map((field) => this.plan(field.type, field.name));
      const checks = planned.map((p) => p.check);
      return {
        check: (cursor) => {
          for (let i = 0; i < checks.length; i++) checks[i]!(cursor);
        },
        ruled: planned.some((p) => p.ruled),
      };
    }
    const stringRule = fieldName === undefined ? null : stringRuleOf(fieldName);
    const numberRule = fieldName === undefined ? null : numberRuleOf(fieldName);
    switch (type.typeName) {
      case 'null':
        return { check: () => undefined, ruled: false };
      case 'boolean':
        return { check: readBoolean, ruled: false };
      case 'int':
      case 'long':
        return numberRule ? { check: (c) => numberRule(c, readLong(c)), ruled: true } : { check: (c) => void readLong(c), ruled: false };
      case 'float':
        return numberRule ? { check: (c) => numberRule(c, readFloat(c)), ruled: true } : { check: (c) => skip(c, 4), ruled: false };
      case 'double':
        return numberRule ? { check: (c) => numberRule(c, readDouble(c)), ruled: true } : { check: (c) => skip(c, 8), ruled: false };
      case 'string':
        return stringRule ? { check: (c) => stringRule(c, readLength(c)), ruled: true } : { check: (c) => skip(c, readLength(c)), ruled: false };
      case 'bytes':
        return { check: (c) => skip(c, readLength(c)), ruled: false };
      case 'fixed': {
        const size = (type as unknown as { size: number }).size;
        return { check: (c) => skip(c, size), ruled: false };
      }
      case 'enum': {
        const symbols = enumSymbols(type);
        const symbolBytes = symbols.map((s) => Buffer.from(s));
        const placeholder = symbols.indexOf(placeholderSymbol(type) ?? '');
        return {
          check: (c) => {
            const index = readLong(c);
            const symbol = symbolBytes[index];
            if (symbol === undefined) throw notSure;
            if (index === placeholder) c.suspect = true;
            // An enum's value is its symbol, a string: field rules on strings apply to it.
            if (stringRule) stringRuleOnBytes(c, stringRule, symbol);
          },
          ruled: stringRule !== null || placeholder >= 0,
        };
      }
      case 'array': {
        const item = this.plan(arrayItems(type), undefined);
        return { check: (c) => blocks(c, item.check), ruled: item.ruled };
      }
      case 'map': {
        const value = this.plan(mapValues(type), undefined);
        const entry: Checker = (c) => {
          skip(c, readLength(c));
          value.check(c);
        };
        return { check: (c) => blocks(c, entry), ruled: value.ruled };
      }
      case 'union:wrapped':
      case 'union:unwrapped': {
        const wrapped = type.typeName === 'union:wrapped';
        const branchTypes = unionBranches(type);
        // As the value walk plans them: wrapped branches without the field name, unwrapped with it.
        const branches = branchTypes.map((branch) => this.plan(branch, wrapped ? undefined : fieldName));
        const ruled = branches.some((b) => b.ruled);
        // The value walk picks an unwrapped union's branch by the value, not by the index written; with
        // two or more non-null branches and rules among them it might judge another branch: not sure.
        const ambiguous = !wrapped && ruled && branchTypes.filter((b) => b.typeName !== 'null').length > 1;
        const checks = branches.map((b, i) => (ambiguous && branchTypes[i]!.typeName !== 'null' ? alwaysSuspect : b.check));
        return {
          check: (c) => {
            const check = checks[readLong(c)];
            if (check === undefined) throw notSure;
            check(c);
          },
          ruled,
        };
      }
      default:
        return { check: alwaysSuspect, ruled: true };
    }
  }
}

type StringRule = (cursor: Cursor, length: number) => void;
type NumberRule = (cursor: Cursor, value: number) => void;

function stringRuleOf(fieldName: string): StringRule | null {
  if (fieldName === 'sha256' || fieldName.endsWith('_sha256')) return (c, length) => hexOfLength(c, length, 64, 64);
  if (fieldName === 'commit_sha') return (c, length) => hexOfLength(c, length, 40, 64);
  if (fieldName === 'id' || fieldName.endsWith('_id') || fieldName === 'principal' || fieldName === 'role') return notBlank;
  return null;
}

/** The semantic walk's own rule on numbers (a number read from the body is the value itself). */
function numberRuleOf(fieldName: string): NumberRule | null {
  const rule = semanticNumberRuleOf(fieldName);
  return rule ? (c, value) => void (rule(value) === null || (c.suspect = true)) : null;
}

/** An enum symbol's bytes through a string rule, as if they had been read from the body. */
function stringRuleOnBytes(c: Cursor, rule: StringRule, bytes: Buffer): void {
  const inner: Cursor = { ...c, buf: bytes, pos: 0 };
  rule(inner, bytes.length);
  if (inner.suspect) c.suspect = true;
}

const isLowerHex = (byte: number) => (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66);

function hexOfLength(c: Cursor, length: number, short: number, long: number): void {
  need(c, length);
  if (length !== short && length !== long) c.suspect = true;
  else for (let i = c.pos; i < c.pos + length; i++) if (!isLowerHex(c.buf[i]!)) c.suspect = true;
  c.pos += length;
}

/** Not blank as `value.trim() !== ''`: any printable ASCII byte other than space settles it; otherwise decode and trim. */
function notBlank(c: Cursor, length: number): void {
  need(c, length);
  let printable = false;
  for (let i = c.pos; i < c.pos + length && !printable; i++) printable = c.buf[i]! > 0x20 && c.buf[i]! < 0x7f;
  if (!printable && c.buf.toString('utf8', c.pos, c.pos + length).trim() === '') c.suspect = true;
  c.pos += length;
}

const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39;
const isLower = (byte: number) => byte >= 0x61 && byte <= 0x7a;
const isUpper = (byte: number) => byte >= 0x41 && byte <= 0x5a;

/** TENANT_PATTERN on the bytes: 1-63 of [a-z0-9_-], the first a letter or digit (so the text is ASCII). */
function readTenant(c: Cursor): void {
  const length = readLength(c);
  need(c, length);
  const { buf, pos } = c;
  let fits = length >= 1 && length <= 63;
  for (let i = pos; i < pos + length && fits; i++) {
    const byte = buf[i]!;
    fits = isLower(byte) || isDigit(byte) || (i > pos && (byte === 0x5f || byte === 0x2d));
  }
  if (!fits) c.suspect = true;
  c.tenant = buf.toString(fits ? 'latin1' : 'utf8', pos, pos + length);
  c.pos += length;
}

/** CONTROL_PATTERN on the bytes: [a-z0-9]+ ":" [A-Za-z0-9._-]+. */
function readControl(c: Cursor): void {
  const length = readLength(c);
  need(c, length);
  const { buf, pos } = c;
  let colon = -1;
  let fits = true;
  for (let i = pos; i < pos + length && fits; i++) {
    const byte = buf[i]!;
    if (colon < 0) {
      if (byte === 0x3a) colon = i;
      else fits = isLower(byte) || isDigit(byte);
    } else {
      fits = isLower(byte) || isDigit(byte) || isUpper(byte) || byte === 0x2e || byte === 0x5f || byte === 0x2d;
    }
  }
  if (!fits || colon <= pos || colon === pos + length - 1) c.suspect = true;
  c.pos += length;
}

function readTimestamp(c: Cursor): void {
  const value = readLong(c);
  if (value < EARLIEST_TIMESTAMP_MICROS || value > c.latestMicros) c.suspect = true;
}

function readUuid(c: Cursor): void {
  const length = readLength(c);
  need(c, length);
  if (length !== 36) c.suspect = true;
  else {
    for (let i = 0; i < 36; i++) {
      const byte = c.buf[c.pos + i]!;
      const dash = i === 8 || i === 13 || i === 18 || i === 23;
      if (dash ? byte !== 0x2d : !isLowerHex(byte)) {
        c.suspect = true;
        break;
      }
    }
  }
  c.pos += length;
}

function readBoolean(c: Cursor): void {
  need(c, 1);
  const byte = c.buf[c.pos++];
  if (byte !== 0 && byte !== 1) throw notSure;
}

function alwaysSuspect(c: Cursor): void {
  c.suspect = true;
  throw notSure;
}

function blocks(c: Cursor, item: Checker): void {
  for (;;) {
    let count = readLong(c);
    if (count === 0) return;
    if (count < 0) {
      count = -count;
      readLength(c);
    }
    // Zero-width items (nulls, empty records) could make a short body claim a huge block, which the
    // body scanner refuses past MAX_ZERO_WIDTH_ITEMS: not sure about any block that long.
    if (count > c.buf.length - c.pos || count > MAX_BLOCK_ITEMS) throw notSure;
    for (let i = 0; i < count; i++) item(c);
  }
}

function need(c: Cursor, length: number): void {
  if (c.pos + length > c.buf.length) throw notSure;
}

function skip(c: Cursor, length: number): void {
  need(c, length);
  c.pos += length;
}

function readLength(c: Cursor): number {
  const length = readLong(c);
  if (length < 0) throw notSure;
  return length;
}

/**
 * avsc refuses to decode a long beyond ±(2^53 − 2) ("potential precision
 * loss"), so the full path calls such a body invalid: not sure. A varint whose
 * zigzag value is below 2^53 (seven bytes, or an eighth below 16: every
 * timestamp in microseconds) is summed exactly in a double; a longer one is
 * decoded with BigInt.
 */
const LARGEST_DECODABLE_LONG = 9_007_199_254_740_990n;

function readLong(c: Cursor): number {
  let result = 0;
  let multiplier = 1;
  const start = c.pos;
  for (let i = 0; i < 8; i++) {
    need(c, 1);
    const byte = c.buf[c.pos++]!;
    if (i === 7 && byte >= 16) break;
    result += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    multiplier *= 128;
  }
  return readLongBig(c, start);
}

function readLongBig(c: Cursor, start: number): number {
  c.pos = start;
  let zigzag = 0n;
  for (let i = 0; i < 10; i++) {
    need(c, 1);
    const byte = c.buf[c.pos++]!;
    zigzag |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) {
      const value = zigzag & 1n ? -((zigzag + 1n) >> 1n) : zigzag >> 1n;
      if (value > LARGEST_DECODABLE_LONG || value < -LARGEST_DECODABLE_LONG) throw notSure;
      return Number(value);
    }
  }
  throw notSure;
}

function readFloat(c: Cursor): number {
  need(c, 4);
  const value = c.buf.readFloatLE(c.pos);
  c.pos += 4;
  return value;
}

function readDouble(c: Cursor): number {
  need(c, 8);
  const value = c.buf.readDoubleLE(c.pos);
  c.pos += 8;
  return value;
}
