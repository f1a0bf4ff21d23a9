import { fingerprint64, SINGLE_OBJECT_HEADER_LENGTH, SINGLE_OBJECT_MARKER, type SchemaJson } from '@probity/schema';
import { EvidenceError } from './errors.js';

/**
 * A raw pack: several raw-topic messages (each an evidence record's Avro
 * single-object bytes and its headers) carried in one Kafka message.
 *
 * Why: kafkajs spends most of a small message's cost per message, not per
 * byte (bench/ingest/pack-probe.ts, produce and consume in one process:
 * 54–74 µs of CPU per 751-byte value sent one per message, 10–13 µs packed
 * 128 to a message; the broker's share fell from 8–12 to 4–6 µs). The SDK
 * packs what it sends to one partition; the notary unpacks and treats every
 * entry exactly as if it had arrived as a message of its own (same checks,
 * same DSSE and emitter-batch headers, its own DLQ message with its own
 * bytes). Emitters that send one record per message (other languages, any
 * Kafka tool) stay first-class: the notary reads both.
 *
 * On the wire a pack is itself Avro single-object encoded (`C3 01`, the
 * CRC-64-AVRO fingerprint of RAW_PACK_SCHEMA, then the body), so any Avro
 * library with `schemas/wire/RawPack.v1.avsc` can read or write one. Every
 * entry of a pack must belong to the partition the pack is sent to (the
 * partition of its content hash), or duplicates would not meet in one shard.
 */
export const RAW_PACK_SCHEMA: SchemaJson = {
  type: 'record',
  name: 'RawPack',
  namespace: 'io.probity.wire',
  doc: 'Several raw-topic messages in one Kafka message; each entry is handled as if it had arrived alone.',
  fields: [
    {
      name: 'messages',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'RawPackMessage',
          fields: [
            { name: 'value', type: 'bytes', doc: "The record's Avro single-object encoding." },
            { name: 'headers', type: { type: 'map', values: 'string' }, doc: 'The headers the record would carry as a message of its own.' },
          ],
        },
      },
    },
  ],
};

export const RAW_PACK_FINGERPRINT: Buffer = fingerprint64(RAW_PACK_SCHEMA);
/**
 * Most messages one pack may hold; readers refuse more. Bounds what one Kafka
 * message can expand to (DLQ messages, one transaction's records).
 */
export const RAW_PACK_MAX_MESSAGES = 4096;
const HEADER_BYTES = Buffer.concat([SINGLE_OBJECT_MARKER, RAW_PACK_FINGERPRINT]);

export interface RawPackMessage {
  /** The record's single-object bytes (a view into the pack when decoded: no copy). */
  value: Buffer;
  headers: Record<string, string>;
}

/** True when the bytes open with the raw pack's single-object header (the body is not looked at). */
export function isRawPack(bytes: Uint8Array | null | undefined): boolean {
  if (!bytes || bytes.length < SINGLE_OBJECT_HEADER_LENGTH) return false;
  for (let i = 0; i < SINGLE_OBJECT_HEADER_LENGTH; i++) if (bytes[i] !== HEADER_BYTES[i]) return false;
  return true;
}

const varintSize = (n: number): number => {
  let zz = n * 2; // zig-zag of a non-negative number
  let size = 1;
  while (zz >= 0x80) {
    zz = Math.floor(zz / 128);
    size += 1;
  }
  return size;
};

/** Bytes one message adds to a pack (for chunking packs under a size limit). */
export function rawPackMessageSize(message: RawPackMessage): number {
  let size = varintSize(message.value.length) + message.value.length + 1;
  const entries = Object.entries(message.headers);
  if (entries.length > 0) size += varintSize(entries.length);
  for (const [name, value] of entries) {
    const n = Buffer.byteLength(name);
    const v = Buffer.byteLength(value);
    size += varintSize(n) + n + varintSize(v) + v;
  }
  return size;
}

/** Overhead of a pack around its messages: single-object header, array block count and terminator. */
export function rawPackOverhead(count: number): number {
  return SINGLE_OBJECT_HEADER_LENGTH + varintSize(count) + 1;
}

/** Avro binary of the pack behind its single-object header, written in one allocation. */
export function encodeRawPack(messages: readonly RawPackMessage[]): Buffer {
  if (messages.length === 0) throw new RangeError('a raw pack holds at least one message');
  let size = rawPackOverhead(messages.length);
  for (const message of messages) size += rawPackMessageSize(message);
  const out = Buffer.allocUnsafe(size);
  HEADER_BYTES.copy(out, 0);
  let pos = writeLong(out, SINGLE_OBJECT_HEADER_LENGTH, messages.length);
  for (const message of messages) {
    pos = writeLong(out, pos, message.value.length);
    pos += message.value.copy(out, pos);
    const entries = Object.entries(message.headers);
    if (entries.length > 0) {
      pos = writeLong(out, pos, entries.length);
      for (const [name, value] of entries) {
        pos = writeString(out, pos, name);
        pos = writeString(out, pos, value);
      }
    }
    out[pos++] = 0; // end of the headers map
  }
  out[pos++] = 0; // end of the messages array
  if (pos !== size) throw new Error(`raw pack size mismatch: wrote ${pos} of ${size} bytes`);
  return out;
}

function writeLong(out: Buffer, pos: number, n: number): number {
  let zz = n * 2;
  while (zz >= 0x80) {
    out[pos++] = (zz & 0x7f) | 0x80;
    zz = Math.floor(zz / 128);
  }
  out[pos++] = zz;
  return pos;
}

function writeString(out: Buffer, pos: number, text: string): number {
  const length = Buffer.byteLength(text);
  pos = writeLong(out, pos, length);
  return pos + out.write(text, pos, length, 'utf8');
}

const malformed = (detail: string) => new EvidenceError('RAW_PACK_MALFORMED', `raw pack: ${detail}`);

/**
 * Reads a pack written by any Avro implementation (blocks with negative
 * counts and byte sizes included). Values are views into `bytes`. Every
 * length is checked against what is left before anything is allocated, and
 * trailing bytes are refused, so a hostile pack costs at most its own size.
 */
export function decodeRawPack(bytes: Buffer): RawPackMessage[] {
  if (!isRawPack(bytes)) throw malformed('does not open with the RawPack single-object header');
  const reader = new Reader(bytes, SINGLE_OBJECT_HEADER_LENGTH);
  const messages: RawPackMessage[] = [];
  reader.blocks('messages', () => {
    if (messages.length === RAW_PACK_MAX_MESSAGES) throw malformed(`holds more than ${RAW_PACK_MAX_MESSAGES} messages`);
    const value = reader.bytes('value');
    // Packs carry records: anything else is a broken pack, refused whole, not thousands of DLQ entries.
    if (value.length < SINGLE_OBJECT_HEADER_LENGTH || value[0] !== SINGLE_OBJECT_MARKER[0] || value[1] !== SINGLE_OBJECT_MARKER[1]) {
      throw malformed(`messages[${messages.length}] is not an Avro single-object encoded record`);
    }
    // Null prototype: a header named __proto__ stays an ordinary entry.
    const headers: Record<string, string> = Object.create(null);
    reader.blocks('headers', () => {
      const name = reader.string('header name');
      headers[name] = reader.string(`header ${JSON.stringify(name)}`);
    });
    messages.push({ value, headers });
  });
  if (reader.pos !== bytes.length) throw malformed(`${bytes.length - reader.pos} trailing bytes after the pack`);
  if (messages.length === 0) throw malformed('holds no message');
  return messages;
}

/**
 * How many messages a pack holds, read without building them (for sizing
 * transactions); null when the bytes are not a whole pack.
 */
export function countRawPackMessages(bytes: Buffer): number | null {
  if (!isRawPack(bytes)) return null;
  const reader = new Reader(bytes, SINGLE_OBJECT_HEADER_LENGTH);
  let count = 0;
  try {
    reader.blocks('messages', () => {
      count += 1;
      reader.skip('value');
      reader.blocks('headers', () => {
        reader.skip('header name');
        reader.skip('header value');
      });
    });
  } catch {
    return null;
  }
  return reader.pos === bytes.length ? count : null;
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  long(what: string): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw malformed(`${what}: truncated`);
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) throw malformed(`${what}: out of range`);
        // zig-zag: even → n/2, odd → -(n+1)/2
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      factor *= 128;
    }
    throw malformed(`${what}: varint longer than 10 bytes`);
  }

  length(what: string): number {
    const n = this.long(`${what} length`);
    if (n < 0) throw malformed(`${what}: negative length ${n}`);
    if (n > this.buf.length - this.pos) throw malformed(`${what}: length ${n} runs past the end (${this.buf.length - this.pos} bytes left)`);
    return n;
  }

  bytes(what: string): Buffer {
    const n = this.length(what);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  skip(what: string): void {
    const n = this.length(what); // read before adding: the length's varint moves pos
    this.pos += n;
  }

  string(what: string): string {
    const n = this.length(what);
    const text = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return text;
  }

  /** An Avro array or map: blocks of items until a zero count; a negative count is followed by the block's byte size. */
  blocks(what: string, item: () => void): void {
    for (;;) {
      let count = this.long(`${what} block count`);
      if (count === 0) return;
      if (count < 0) {
        count = -count;
        this.length(`${what} block`); // the byte size, checked against what is left; items are read one by one anyway
      }
      // Every item takes at least one byte: a count beyond what is left is a lie, refused before looping.
      if (count > this.buf.length - this.pos) throw malformed(`${what}: block of ${count} items in ${this.buf.length - this.pos} bytes`);
      for (let i = 0; i < count; i++) item();
    }
  }
}
