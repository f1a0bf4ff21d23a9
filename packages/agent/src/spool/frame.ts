import { crc32 } from 'node:zlib';

/**
 * On-disk framing of one spooled Kafka message:
 *
 *   u32 BE  body length
 *   u32 BE  CRC-32 of the body
 *   body:   u8 version (1)
 *           u16 key length, key (UTF-8)
 *           u16 header count, then per header: u16 name length, name, u32 value length, value (UTF-8)
 *           value bytes (the rest of the body)
 *
 * The CRC is what makes a torn tail (kill -9 or power loss mid-append)
 * detectable: such a frame's emit never resolved, so dropping it loses nothing
 * that was promised. A zero-filled tail (some filesystems after a crash) fails
 * the version/length checks before the CRC is even looked at.
 */
export interface SpooledMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export const FRAME_HEADER_BYTES = 8;
const FRAME_VERSION = 1;
const MIN_BODY_BYTES = 1 + 2 + 2;
/** Larger than any Kafka message we could send; anything bigger is garbage, not a record. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function encodeFrame(message: SpooledMessage): Buffer {
  const key = Buffer.from(message.key, 'utf8');
  const headerEntries = Object.entries(message.headers).map(([name, value]) => [Buffer.from(name, 'utf8'), Buffer.from(value, 'utf8')] as const);
  let bodyLength = 1 + 2 + key.length + 2 + message.value.length;
  for (const [name, value] of headerEntries) bodyLength += 2 + name.length + 4 + value.length;

  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  let at = FRAME_HEADER_BYTES;
  frame.writeUInt8(FRAME_VERSION, at);
  at += 1;
  frame.writeUInt16BE(key.length, at);
  at += 2;
  at += key.copy(frame, at);
  frame.writeUInt16BE(headerEntries.length, at);
  at += 2;
  for (const [name, value] of headerEntries) {
    frame.writeUInt16BE(name.length, at);
    at += 2;
    at += name.copy(frame, at);
    frame.writeUInt32BE(value.length, at);
    at += 4;
    at += value.copy(frame, at);
  }
  at += message.value.copy(frame, at);

  const body = frame.subarray(FRAME_HEADER_BYTES);
  frame.writeUInt32BE(bodyLength, 0);
  frame.writeUInt32BE(crc32(body), 4);
  return frame;
}

export type FrameReadResult =
  | { kind: 'frame'; message: SpooledMessage; bytes: number }
  /** The buffer ends inside a frame that may be complete on disk: read more. */
  | { kind: 'incomplete'; needBytes: number }
  /** Not a valid frame: torn write or corruption. Nothing after it in this segment is trusted. */
  | { kind: 'corrupt'; reason: string };

/** Decode the frame starting at `offset` of `buffer`. Pure; never throws on bad input. */
export function readFrame(buffer: Buffer, offset: number): FrameReadResult {
  const available = buffer.length - offset;
  if (available < FRAME_HEADER_BYTES) return { kind: 'incomplete', needBytes: FRAME_HEADER_BYTES };
  const bodyLength = buffer.readUInt32BE(offset);
  if (bodyLength < MIN_BODY_BYTES || bodyLength > MAX_BODY_BYTES) return { kind: 'corrupt', reason: `implausible frame length ${bodyLength}` };
  const total = FRAME_HEADER_BYTES + bodyLength;
  if (available < total) return { kind: 'incomplete', needBytes: total };
  const body = buffer.subarray(offset + FRAME_HEADER_BYTES, offset + total);
  if (crc32(body) !== buffer.readUInt32BE(offset + 4)) return { kind: 'corrupt', reason: 'CRC mismatch' };
  const message = decodeBody(body);
  if (message === null) return { kind: 'corrupt', reason: 'malformed frame body' };
  return { kind: 'frame', message, bytes: total };
}

function decodeBody(body: Buffer): SpooledMessage | null {
  let at = 0;
  const need = (n: number) => at + n <= body.length;
  if (body.readUInt8(at) !== FRAME_VERSION) return null;
  at += 1;
  const keyLength = body.readUInt16BE(at);
  at += 2;
  if (!need(keyLength + 2)) return null;
  const key = body.toString('utf8', at, at + keyLength);
  at += keyLength;
  const headerCount = body.readUInt16BE(at);
  at += 2;
  const headers: Record<string, string> = {};
  for (let i = 0; i < headerCount; i++) {
    if (!need(2)) return null;
    const nameLength = body.readUInt16BE(at);
    at += 2;
    if (!need(nameLength + 4)) return null;
    const name = body.toString('utf8', at, at + nameLength);
    at += nameLength;
    const valueLength = body.readUInt32BE(at);
    at += 4;
    if (!need(valueLength)) return null;
    headers[name] = body.toString('utf8', at, at + valueLength);
    at += valueLength;
  }
  // Copy: the caller's read buffer is reused for the next chunk.
  return { key, headers, value: Buffer.from(body.subarray(at)) };
}
