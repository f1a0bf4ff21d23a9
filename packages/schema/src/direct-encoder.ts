import type { AvroType } from './avsc.js';
import { isTimestampMicros, isUuid } from './logical-types.js';
import { normalizeValue } from './normalize.js';
import { CONTROL_PATTERN, CROSS_FIELD_NAMES, EARLIEST_TIMESTAMP_MICROS, numberRuleOf, placeholderSymbol, stringRuleOf, TENANT_PATTERN, UUID_PATTERN, type ValueRule } from './semantics.js';
import { SINGLE_OBJECT_HEADER_LENGTH, SINGLE_OBJECT_MARKER } from './single-object.js';
import { arrayItems, branchName, bucketOfType, enumSymbols, isRecord, mapValues, PlanMemo, recordFields, unionBranches, unwrappedBranchIndex, type FieldView } from './type-tree.js';

/**
 * The emitter's hot path: one pass over a value that checks it against the
 * schema and the semantic rules (semantics.ts) while it writes the Avro
 * binary encoding of its normalized form (normalize.ts): fields in schema
 * order, defaults for missing fields, map keys in canonical order. The full
 * path normalizes (a copy of the value), checks with avsc, encodes with avsc
 * and reads the bytes again with the rules: ~27 µs for a training manifest,
 * against ~6 µs here.
 *
 * It answers only "clean, and these are the bytes" or "not sure" (null):
 * anything off the usual road (an invalid or doubtful value, a map key that
 * starts with a digit, a record type with cross-field rules, a class
 * instance, more than 64 KiB) goes to the full path, which encodes it or
 * names every issue. Accessors are read once here and once or more there:
 * a getter that answers differently each time is outside the contract. So it need only be sound for acceptance, and a test
 * holds it to that: bytes here ⇒ the same bytes, and no issue, there. The
 * bytes are the evidence's identity (their SHA-256), so "the same" is exact.
 */
export interface CleanEncoding {
  /** Single-object encoding: marker, fingerprint, body. */
  bytes: Buffer;
  /** The top-level `tenant`. */
  tenant: string;
}

export function encodeClean(type: AvroType, fingerprint: Buffer, value: unknown, latestMicros: number): CleanEncoding | null {
  if (fingerprint.length !== 8) throw new RangeError('fingerprint must be 8 bytes');
  // A getter or proxy in the value may encode another record while this one is half written: that one takes the full path.
  if (writing) return null;
  let write = topLevel.get(type);
  if (!write) topLevel.set(type, (write = new Planner().top(type)));
  const out: Out = { buf: scratch, pos: SINGLE_OBJECT_HEADER_LENGTH, latestMicros, tenant: undefined };
  SINGLE_OBJECT_MARKER.copy(scratch, 0);
  fingerprint.copy(scratch, SINGLE_OBJECT_MARKER.length);
  writing = true;
  try {
    write(out, value);
  } catch (err) {
    if (err === notSure) return null;
    throw err;
  } finally {
    writing = false;
  }
  if (out.tenant === undefined) return null;
  return { bytes: Buffer.from(scratch.subarray(0, out.pos)), tenant: out.tenant };
}

interface Out {
  buf: Buffer;
  pos: number;
  /** Timestamps after this are more than a day in the future. */
  latestMicros: number;
  tenant: string | undefined;
}

type Write = (out: Out, value: unknown) => void;

/** Thrown inside a write: the value is not one this pass vouches for. Never escapes encodeClean. */
class NotSure extends Error {}
const notSure = new NotSure('not sure');

// One scratch buffer serves every call (a call nested through a getter declines, see `writing`);
// a value that does not fit takes the full path.
const scratch = Buffer.allocUnsafe(64 * 1024);
let writing = false;

const topLevel = new WeakMap<AvroType, Write>();

const refuse: Write = () => {
  throw notSure;
};

class Planner {
  private readonly memo = new PlanMemo<Write>();

  top(type: AvroType): Write {
    if (!isRecord(type) || recordFields(type).some((field) => CROSS_FIELD_NAMES.has(field.name))) return refuse;
    return this.record(type, (field) => {
      if (field.name === 'tenant') return field.type.typeName === 'string' ? writeTenant : refuse;
      if (field.name === 'controls') {
        const items = field.type.typeName === 'array' ? arrayItems(field.type) : undefined;
        return items?.typeName === 'string' ? writeControls : refuse;
      }
      return undefined;
    });
  }

  private plan(type: AvroType, fieldName: string | undefined): Write {
    return this.memo.plan(type, fieldName, () => this.compile(type, fieldName), (finished) => (out, value) => finished()(out, value));
  }

  /** Field rules apply by the name of the field a node is the value of, as in the semantic walk (walk.ts). */
  private compile(type: AvroType, fieldName: string | undefined): Write {
    if (isTimestampMicros(type)) return writeTimestamp;
    if (isUuid(type)) return writeUuid;
    if (type.typeName.startsWith('logical:')) return refuse;
    if (isRecord(type)) return this.record(type, () => undefined);
    const stringRule = fieldName === undefined ? null : stringRuleOf(fieldName);
    const numberRule = fieldName === undefined ? null : numberRuleOf(fieldName);
    switch (type.typeName) {
      case 'null':
        return writeNullValue;
      case 'boolean':
        return writeBoolean;
      case 'int':
        return numbered((value) => value === (value | 0), writeLong, numberRule);
      case 'long':
        return numbered(isSafeInteger, writeLong, numberRule);
      case 'float':
        return numbered(() => true, writeFloat, numberRule);
      case 'double':
        return numbered(() => true, writeDouble, numberRule);
      case 'string':
        if (!stringRule) return writeAnyString;
        return (out, value) => {
          if (typeof value !== 'string' || stringRule(value) !== null) throw notSure;
          writeString(out, value);
        };
      case 'bytes':
        return writeBytes;
      case 'fixed': {
        const size = (type as unknown as { size: number }).size;
        return (out, value) => {
          if (!Buffer.isBuffer(value) || value.length !== size) throw notSure;
          writeRaw(out, value);
        };
      }
      case 'enum': {
        const symbols = enumSymbols(type);
        const indexOf = new Map(symbols.map((symbol, i) => [symbol, i]));
        // An enum's value is its symbol, a string: field rules on strings apply to it, once per symbol.
        const placeholder = placeholderSymbol(type);
        const fine = symbols.map((symbol) => symbol !== placeholder && (stringRule === null || stringRule(symbol) === null));
        return (out, value) => {
          const index = typeof value === 'string' ? indexOf.get(value) : undefined;
          if (index === undefined || !fine[index]) throw notSure;
          writeLong(out, index);
        };
      }
      case 'array': {
        const item = this.plan(arrayItems(type), undefined);
        return (out, value) => writeArray(out, value, item);
      }
      case 'map': {
        const entry = this.plan(mapValues(type), undefined);
        return (out, value) => writeMap(out, value, entry);
      }
      case 'union:wrapped':
        return this.wrappedUnion(type);
      case 'union:unwrapped':
        return this.unwrappedUnion(type, fieldName);
      default:
        return refuse;
    }
  }

  /** `special` may plan a field itself (the top level's tenant and controls). */
  private record(type: AvroType, special: (field: FieldView) => Write | undefined): Write {
    const fields = recordFields(type);
    // A field named like an Object.prototype member would be found on any object: refuse rather than reason about it.
    if (fields.some((field) => field.name in Object.prototype)) return refuse;
    const planned = fields.map((field) => {
      const write = special(field) ?? this.plan(field.type, field.name);
      return { name: field.name, write, missing: lazyDefault(field, write) };
    });
    const declared = new Set(fields.map((field) => field.name));
    const count = planned.length;
    return (out, value) => {
      if (!isPlainData(value)) throw notSure;
      const record = value as Record<string, unknown>;
      // Every own key must be a declared field: an undeclared one is the full path's to report.
      const keys = Object.keys(record);
      for (let i = 0; i < keys.length; i++) if (!declared.has(keys[i]!)) throw notSure;
      for (let i = 0; i < count; i++) {
        const field = planned[i]!;
        const fieldValue = record[field.name];
        if (fieldValue === undefined) writeRaw(out, field.missing());
        else field.write(out, fieldValue);
      }
    };
  }

  private wrappedUnion(type: AvroType): Write {
    const branches = unionBranches(type);
    const byKey = new Map<string, { index: number; write: Write }>();
    branches.forEach((branch, index) => {
      const key = branchName(branch);
      if (!byKey.has(key)) byKey.set(key, { index, write: this.plan(branch, undefined) });
    });
    const nullIndex = branches.findIndex((branch) => branch.typeName === 'null');
    return (out, value) => {
      if (value === null) return writeUnionNull(out, nullIndex);
      if (!isPlainData(value)) throw notSure;
      let key: string | undefined;
      for (const own in value) {
        if (key !== undefined) throw notSure;
        key = own;
      }
      const branch = key === undefined ? undefined : byKey.get(key);
      if (!branch) throw notSure;
      writeLong(out, branch.index);
      branch.write(out, (value as Record<string, unknown>)[key!]);
    };
  }

  /**
   * avsc picks an unwrapped union's branch by the kind of value (its
   * "bucket"), and so do normalize.ts and the semantic walk; the branch
   * writers here accept only values of their own kind.
   */
  private unwrappedUnion(type: AvroType, fieldName: string | undefined): Write {
    const branches = unionBranches(type);
    const nullIndex = branches.findIndex((branch) => branch.typeName === 'null');
    const planned = branches
      .map((branch, index) => ({ index, bucket: bucketOfType(branch), write: this.plan(branch, fieldName) }))
      .filter((p) => p.bucket !== 'null');
    const [only] = planned;
    if (only && planned.length === 1) {
      // One branch besides null (logical or not): a non-null value is that branch's or invalid.
      return (out, value) => {
        if (value === null) return writeUnionNull(out, nullIndex);
        writeLong(out, only.index);
        only.write(out, value);
      };
    }
    // With several, a logical branch makes avsc test each value against it too ("ambiguous conversion"),
    // and a record or map branch is valid for arrays and buffers as well: both left to the full path.
    if (planned.some((p) => p.bucket === undefined)) return refuse;
    const buckets = new Set(planned.map((p) => p.bucket));
    if (buckets.has('object') && (buckets.has('array') || buckets.has('buffer'))) return refuse;
    const writers = branches.map((branch) => this.plan(branch, fieldName));
    return (out, value) => {
      const index = unwrappedBranchIndex(type, value);
      if (index === undefined) throw notSure;
      writeLong(out, index);
      writers[index]!(out, value);
    };
  }
}

/**
 * The encoded default of a field, planned on first use (a recursive type is
 * still being planned when its fields are), written by the field's own
 * writer so the rules apply to it too. Timestamps in a default are not
 * vouched for: whether one is "in the future" depends on the clock of each
 * call.
 */
function lazyDefault(field: FieldView, write: Write): () => Buffer {
  let bytes: Buffer | null | undefined;
  return () => {
    if (bytes === undefined) {
      const value = field.defaultValue();
      bytes = null;
      if (value !== undefined) {
        const out: Out = { buf: Buffer.alloc(64 * 1024), pos: 0, latestMicros: -Infinity, tenant: undefined };
        try {
          write(out, normalizeValue(field.type, value));
          bytes = Buffer.from(out.buf.subarray(0, out.pos));
        } catch (err) {
          if (err !== notSure) throw err;
        }
      }
    }
    if (bytes === null) throw notSure;
    return bytes;
  };
}

function numbered(valid: (value: number) => boolean, write: (out: Out, value: number) => void, rule: ValueRule<number> | null): Write {
  return (out, value) => {
    if (typeof value !== 'number' || !valid(value) || (rule !== null && rule(value) !== null)) throw notSure;
    write(out, value);
  };
}

/** A value with no class: `{...}` or `Object.create(null)`. Class instances, arrays (even with another prototype) and buffers are the full path's. */
function isPlainData(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** avsc's LongType check: an integer within ±(2^53 − 2). */
function isSafeInteger(value: number): boolean {
  return value % 1 === 0 && value >= -9_007_199_254_740_990 && value <= 9_007_199_254_740_990;
}

function ensure(out: Out, length: number): void {
  if (out.pos + length > out.buf.length) throw notSure;
}

/** avsc's Tap.writeLong, byte for byte (zigzag varint; beyond ±2^30 in floating point, as avsc does). */
function writeLong(out: Out, n: number): void {
  ensure(out, 10);
  const buf = out.buf;
  if (n >= -1073741824 && n < 1073741824) {
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    for (;;) {
      const low = m & 0x7f;
      m >>= 7;
      if (m === 0) {
        buf[out.pos++] = low;
        break;
      }
      buf[out.pos++] = low | 0x80;
    }
  } else {
    let f = n >= 0 ? n * 2 : -n * 2 - 1;
    for (;;) {
      const low = f & 0x7f;
      f /= 128;
      if (f < 1) {
        buf[out.pos++] = low;
        break;
      }
      buf[out.pos++] = low | 0x80;
    }
  }
}

/**
 * avsc's Tap.writeString, byte for byte: strings of more than 64 bytes are
 * written as UTF-8 by Node; shorter ones by avsc's own loop, which writes a
 * lone surrogate as its three CESU-8 bytes where Node writes U+FFFD. The
 * bytes are the record's identity, so the difference is kept.
 */
function writeString(out: Out, s: string): void {
  // Most strings are ASCII: the length's varint (zigzag 2n, one byte below 64 characters, two below 8192),
  // then one byte per character, without a byteLength call; the first other character starts over below.
  const chars = s.length;
  const prefix = chars < 64 ? 1 : 2;
  if (chars < 1024 && out.pos + prefix + chars <= out.buf.length) {
    const buf = out.buf;
    const start = out.pos + prefix;
    let ascii = true;
    for (let i = 0; i < chars; i++) {
      const code = s.charCodeAt(i);
      if (code >= 0x80) {
        ascii = false;
        break;
      }
      buf[start + i] = code;
    }
    if (ascii) {
      const zigzag = chars << 1;
      if (prefix === 1) buf[out.pos] = zigzag;
      else {
        buf[out.pos] = (zigzag & 0x7f) | 0x80;
        buf[out.pos + 1] = zigzag >> 7;
      }
      out.pos = start + chars;
      return;
    }
  }
  const length = Buffer.byteLength(s);
  writeLong(out, length);
  ensure(out, length);
  const buf = out.buf;
  let pos = out.pos;
  out.pos += length;
  if (length > 64) {
    buf.write(s, pos, length, 'utf8');
    return;
  }
  if (length === s.length) {
    for (let i = 0; i < length; i++) buf[pos++] = s.charCodeAt(i);
    return;
  }
  // avsc's loop runs once per byte, not per character: past the string's end charCodeAt gives NaN, which
  // it writes as three bytes per extra turn beyond `length`; the next writes (or the record's end) cover them.
  // Here they stop at the buffer's end, as avsc's do; the scratch is never handed out past `out.pos`.
  for (let i = 0; i < length; i++) {
    let c1 = s.charCodeAt(i);
    let c2: number;
    if (c1 < 0x80) {
      buf[pos++] = c1;
    } else if (c1 < 0x800) {
      buf[pos++] = (c1 >> 6) | 0xc0;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
      c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
      i++;
      buf[pos++] = (c1 >> 18) | 0xf0;
      buf[pos++] = ((c1 >> 12) & 0x3f) | 0x80;
      buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    } else {
      buf[pos++] = (c1 >> 12) | 0xe0;
      buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    }
  }
}

function writeAnyString(out: Out, value: unknown): void {
  if (typeof value !== 'string') throw notSure;
  writeString(out, value);
}

function writeTenant(out: Out, value: unknown): void {
  if (typeof value !== 'string' || !TENANT_PATTERN.test(value)) throw notSure;
  writeString(out, value);
  out.tenant = value;
}

function writeControl(out: Out, value: unknown): void {
  if (typeof value !== 'string' || !CONTROL_PATTERN.test(value)) throw notSure;
  writeString(out, value);
}

function writeControls(out: Out, value: unknown): void {
  writeArray(out, value, writeControl);
}

function writeTimestamp(out: Out, value: unknown): void {
  if (typeof value !== 'number' || !isSafeInteger(value) || value < EARLIEST_TIMESTAMP_MICROS || value > out.latestMicros) throw notSure;
  writeLong(out, value);
}

function writeUuid(out: Out, value: unknown): void {
  if (typeof value !== 'string' || !UUID_PATTERN.test(value)) throw notSure;
  writeString(out, value);
}

function writeUnionNull(out: Out, nullIndex: number): void {
  if (nullIndex < 0) throw notSure;
  writeLong(out, nullIndex);
}

function writeNullValue(_out: Out, value: unknown): void {
  if (value !== null) throw notSure;
}

function writeBoolean(out: Out, value: unknown): void {
  if (typeof value !== 'boolean') throw notSure;
  ensure(out, 1);
  out.buf[out.pos++] = value ? 1 : 0;
}

function writeFloat(out: Out, value: number): void {
  ensure(out, 4);
  out.buf.writeFloatLE(value, out.pos);
  out.pos += 4;
}

function writeDouble(out: Out, value: number): void {
  ensure(out, 8);
  out.buf.writeDoubleLE(value, out.pos);
  out.pos += 8;
}

function writeRaw(out: Out, bytes: Buffer): void {
  ensure(out, bytes.length);
  bytes.copy(out.buf, out.pos);
  out.pos += bytes.length;
}

function writeBytes(out: Out, value: unknown): void {
  if (!Buffer.isBuffer(value)) throw notSure;
  writeLong(out, value.length);
  writeRaw(out, value);
}

/** One block with every item, then the empty block that ends the array (avsc's layout). */
function writeArray(out: Out, value: unknown, item: Write): void {
  if (!Array.isArray(value)) throw notSure;
  const count = value.length;
  if (count > 0) {
    writeLong(out, count);
    for (let i = 0; i < count; i++) item(out, value[i]);
  }
  writeLong(out, 0);
}

/**
 * Entries in canonical key order (code units, normalize.ts). The full path
 * builds an object in that order, and JS lists integer-like keys of an object
 * first: a key starting with a digit is left to it, as is `__proto__` (which
 * the full path refuses: JavaScript readers would drop it).
 */
function writeMap(out: Out, value: unknown, entry: Write): void {
  if (!isPlainData(value)) throw notSure;
  const map = value as Record<string, unknown>;
  const keys = Object.keys(map);
  const count = keys.length;
  if (count > 0) {
    let sorted = true;
    for (let i = 0; i < count; i++) {
      const first = keys[i]!.charCodeAt(0);
      if ((first >= 0x30 && first <= 0x39) || keys[i] === '__proto__') throw notSure;
      if (i > 0 && keys[i - 1]! > keys[i]!) sorted = false;
    }
    if (!sorted) keys.sort();
    writeLong(out, count);
    for (let i = 0; i < count; i++) {
      writeString(out, keys[i]!);
      entry(out, map[keys[i]!]);
    }
  }
  writeLong(out, 0);
}
