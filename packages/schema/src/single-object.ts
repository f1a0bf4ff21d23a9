import { SchemaError } from './errors.js';

/** Marker that opens every Avro single-object encoded message (spec: "Single-object encoding"). */
export const SINGLE_OBJECT_MARKER = Buffer.from([0xc3, 0x01]);
/** Marker (2 bytes) + CRC-64-AVRO fingerprint (8 bytes). */
export const SINGLE_OBJECT_HEADER_LENGTH = 10;

// Encoding is synchronous, so one scratch buffer serves every call.
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Header and body written once into a scratch buffer, then copied out: one
 * small allocation per record instead of avsc's zero-filled body buffer plus
 * a concatenation. Values too large for the scratch take the plain route.
 */
export function encodeSingleObject(fingerprint: Buffer, type: { encode(value: unknown, buf: Buffer, pos: number): number; toBuffer(value: unknown): Buffer }, value: unknown): Buffer {
  if (fingerprint.length !== 8) throw new RangeError('fingerprint must be 8 bytes');
  SINGLE_OBJECT_MARKER.copy(scratch, 0);
  fingerprint.copy(scratch, SINGLE_OBJECT_MARKER.length);
  const end = type.encode(value, scratch, SINGLE_OBJECT_HEADER_LENGTH);
  if (end > 0) return Buffer.from(scratch.subarray(0, end));
  return frameSingleObject(fingerprint, type.toBuffer(value));
}

export function frameSingleObject(fingerprint: Buffer, body: Buffer): Buffer {
  if (fingerprint.length !== 8) throw new RangeError('fingerprint must be 8 bytes');
  return Buffer.concat([SINGLE_OBJECT_MARKER, fingerprint, body]);
}

export interface SingleObjectParts {
  fingerprint: Buffer;
  body: Buffer;
}

/** Splits a message into fingerprint and body; the body is not looked at. */
export function unframeSingleObject(bytes: Uint8Array): SingleObjectParts {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < SINGLE_OBJECT_HEADER_LENGTH) {
    throw new SchemaError('NOT_SINGLE_OBJECT', `message is ${buf.length} bytes, shorter than the 10-byte single-object header`);
  }
  if (buf[0] !== 0xc3 || buf[1] !== 0x01) {
    throw new SchemaError('NOT_SINGLE_OBJECT', `message does not start with the single-object marker C3 01 (got ${buf.subarray(0, 2).toString('hex')})`);
  }
  return { fingerprint: buf.subarray(2, SINGLE_OBJECT_HEADER_LENGTH), body: buf.subarray(SINGLE_OBJECT_HEADER_LENGTH) };
}

/** The writer fingerprint of a message, hex, without decoding the body (for routing and DLQ reasons). */
export function peekFingerprint(bytes: Uint8Array): string {
  return unframeSingleObject(bytes).fingerprint.toString('hex');
}
