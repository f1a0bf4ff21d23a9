import type { AvroType } from './avsc.js';
import { arrayItems, enumSymbols, isRecord, logicalUnderlying, mapValues, plannedPerType, recordFields, unionBranches } from './type-tree.js';

/**
 * Walks an Avro binary body against its writer schema with every length and
 * count checked against the bytes that are left, without building values.
 * avsc trusts block counts, so a hostile or corrupt message claiming 2^60
 * array items would spin or exhaust memory in its decoder; the notary reads
 * bytes from any emitter, so we check first. Returns the offset after the
 * value; throws a plain Error describing the first problem.
 */
export function scanBody(type: AvroType, body: Buffer): number {
  const cursor = { buf: body, pos: 0 };
  compiled(type)(cursor);
  return cursor.pos;
}

interface Cursor {
  buf: Buffer;
  pos: number;
}

type Scanner = (cursor: Cursor) => void;

/** Items of a block that can be zero bytes long (null, empty records) are capped, others must fit in what remains. */
const MAX_ZERO_WIDTH_ITEMS = 1_000_000;

// The notary scans every message: the type tree is walked once per type and
// turned into closures, so a scan costs a few microseconds, not a tree walk.
const cache = new WeakMap<AvroType, Scanner>();

function compiled(type: AvroType): Scanner {
  return plannedPerType(cache, type, compile);
}

function compile(type: AvroType): Scanner {
  if (type.typeName.startsWith('logical:')) return compiled(logicalUnderlying(type));
  if (isRecord(type)) {
    // Children are resolved now, not per message: plannedPerType hands back a forwarder for a type
    // still being planned, so recursive schemas resolve too.
    const scanners = recordFields(type).map((field) => compiled(field.type));
    return (cursor) => {
      for (let i = 0; i < scanners.length; i++) scanners[i]!(cursor);
    };
  }
  switch (type.typeName) {
    case 'null':
      return () => undefined;
    case 'boolean':
      return (cursor) => {
        need(cursor, 1);
        const byte = cursor.buf[cursor.pos++];
        if (byte !== 0 && byte !== 1) throw new Error(`invalid boolean byte ${byte} at ${cursor.pos - 1}`);
      };
    case 'int':
    case 'long':
      return (cursor) => void readVarLong(cursor);
    case 'float':
      return (cursor) => skip(cursor, 4);
    case 'double':
      return (cursor) => skip(cursor, 8);
    case 'string':
    case 'bytes':
      return (cursor) => skip(cursor, readLength(cursor));
    case 'fixed': {
      const size = (type as unknown as { size: number }).size;
      return (cursor) => skip(cursor, size);
    }
    case 'enum': {
      const symbols = enumSymbols(type).length;
      const name = type.name;
      return (cursor) => {
        const index = readVarLong(cursor);
        if (index < 0 || index >= symbols) throw new Error(`enum index ${index} out of range for ${name}`);
      };
    }
    case 'array': {
      const scanItem = compiled(arrayItems(type));
      return (cursor) => scanBlocks(cursor, scanItem);
    }
    case 'map': {
      const scanValue = compiled(mapValues(type));
      const scanEntry: Scanner = (cursor) => {
        skip(cursor, readLength(cursor));
        scanValue(cursor);
      };
      return (cursor) => scanBlocks(cursor, scanEntry);
    }
    case 'union:wrapped':
    case 'union:unwrapped': {
      const branches = unionBranches(type).map(compiled);
      return (cursor) => {
        const index = readVarLong(cursor);
        const scanBranch = branches[index];
        if (scanBranch === undefined) throw new Error(`union branch index ${index} out of range`);
        scanBranch(cursor);
      };
    }
    default:
      throw new Error(`cannot scan type ${type.typeName}`);
  }
}

function scanBlocks(cursor: Cursor, scanItem: Scanner): void {
  for (;;) {
    let count = readVarLong(cursor);
    if (count === 0) return;
    if (count < 0) {
      // A negative count is followed by the block's size in bytes.
      count = -count;
      readLength(cursor);
    }
    const remaining = cursor.buf.length - cursor.pos;
    if (count > Math.max(remaining, 0) && count > MAX_ZERO_WIDTH_ITEMS) throw new Error(`block claims ${count} items with ${remaining} bytes left`);
    const start = cursor.pos;
    for (let i = 0; i < count; i++) {
      scanItem(cursor);
      // Zero-width items are the only way to have more items than bytes; stop runaway blocks of them.
      if (i >= MAX_ZERO_WIDTH_ITEMS && cursor.pos === start) throw new Error('block of zero-width items too long');
    }
  }
}

function need(cursor: Cursor, length: number): void {
  if (length < 0 || cursor.pos + length > cursor.buf.length) throw new Error(`truncated: need ${length} bytes at ${cursor.pos}, have ${cursor.buf.length - cursor.pos}`);
}

function skip(cursor: Cursor, length: number): void {
  need(cursor, length);
  cursor.pos += length;
}

function readLength(cursor: Cursor): number {
  const length = readVarLong(cursor);
  if (length < 0) throw new Error(`negative length ${length} at ${cursor.pos}`);
  return length;
}

/**
 * Zig-zag varint, at most 10 bytes. Numbers, not BigInt: our longs are within
 * 2^53, and beyond that the exact value does not matter for a bounds check
 * (it is then far larger than any remaining length, and rejected).
 */
function readVarLong(cursor: Cursor): number {
  let result = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i++) {
    need(cursor, 1);
    const byte = cursor.buf[cursor.pos++]!;
    result += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    multiplier *= 128;
  }
  throw new Error(`varint longer than 10 bytes at ${cursor.pos}`);
}
