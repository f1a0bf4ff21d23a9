import type { AvroType } from './avsc.js';
import { arrayItems, enumSymbols, isRecord, logicalUnderlying, mapValues, recordFields, unionBranches } from './type-tree.js';

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
  scan(type, cursor);
  return cursor.pos;
}

interface Cursor {
  buf: Buffer;
  pos: number;
}

/** Items of a block that can be zero bytes long (null, empty records) are capped, others must fit in what remains. */
const MAX_ZERO_WIDTH_ITEMS = 1_000_000;

function scan(type: AvroType, cursor: Cursor): void {
  if (type.typeName.startsWith('logical:')) return scan(logicalUnderlying(type), cursor);
  if (isRecord(type)) {
    for (const field of recordFields(type)) scan(field.type, cursor);
    return;
  }
  switch (type.typeName) {
    case 'null':
      return;
    case 'boolean': {
      const byte = take(cursor, 1)[0];
      if (byte !== 0 && byte !== 1) throw new Error(`invalid boolean byte ${byte} at ${cursor.pos - 1}`);
      return;
    }
    case 'int':
    case 'long':
      readVarLong(cursor);
      return;
    case 'float':
      take(cursor, 4);
      return;
    case 'double':
      take(cursor, 8);
      return;
    case 'string':
    case 'bytes':
      take(cursor, readLength(cursor));
      return;
    case 'fixed':
      take(cursor, (type as unknown as { size: number }).size);
      return;
    case 'enum': {
      const index = readVarLong(cursor);
      if (index < 0 || index >= enumSymbols(type).length) throw new Error(`enum index ${index} out of range for ${type.name}`);
      return;
    }
    case 'array':
      scanBlocks(cursor, () => scan(arrayItems(type), cursor));
      return;
    case 'map':
      scanBlocks(cursor, () => {
        take(cursor, readLength(cursor));
        scan(mapValues(type), cursor);
      });
      return;
    case 'union:wrapped':
    case 'union:unwrapped': {
      const index = readVarLong(cursor);
      const branch = unionBranches(type)[index];
      if (branch === undefined) throw new Error(`union branch index ${index} out of range`);
      scan(branch, cursor);
      return;
    }
    default:
      throw new Error(`cannot scan type ${type.typeName}`);
  }
}

function scanBlocks(cursor: Cursor, scanItem: () => void): void {
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
      scanItem();
      // Zero-width items are the only way to have more items than bytes; stop runaway blocks of them.
      if (i >= MAX_ZERO_WIDTH_ITEMS && cursor.pos === start) throw new Error('block of zero-width items too long');
    }
  }
}

function take(cursor: Cursor, length: number): Buffer {
  if (length < 0 || cursor.pos + length > cursor.buf.length) throw new Error(`truncated: need ${length} bytes at ${cursor.pos}, have ${cursor.buf.length - cursor.pos}`);
  const out = cursor.buf.subarray(cursor.pos, cursor.pos + length);
  cursor.pos += length;
  return out;
}

function readLength(cursor: Cursor): number {
  const length = readVarLong(cursor);
  if (length < 0) throw new Error(`negative length ${length} at ${cursor.pos}`);
  return length;
}

/** Zig-zag varint, at most 10 bytes, as a JS number (our longs are within 2^53). */
function readVarLong(cursor: Cursor): number {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    const byte = take(cursor, 1)[0] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      const decoded = (result >> 1n) ^ -(result & 1n);
      return Number(decoded);
    }
    shift += 7n;
  }
  throw new Error(`varint longer than 10 bytes at ${cursor.pos}`);
}
