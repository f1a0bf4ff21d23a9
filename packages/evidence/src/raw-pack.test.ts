import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { avroBinaryCodec, fingerprint64, type SchemaJson } from '@probity/schema';
import { EvidenceError } from './errors.js';
import { countRawPackMessages, decodeRawPack, encodeRawPack, isRawPack, RAW_PACK_FINGERPRINT, RAW_PACK_MAX_MESSAGES, RAW_PACK_SCHEMA, rawPackMessageSize, rawPackOverhead, type RawPackMessage } from './raw-pack.js';

// avsc (through @probity/schema's codec) as a second implementation of the same schema.
const avroType = avroBinaryCodec<{ messages: RawPackMessage[] }>(RAW_PACK_SCHEMA);
const itemType = avroBinaryCodec<RawPackMessage>((RAW_PACK_SCHEMA as { fields: { type: { items: SchemaJson } }[] }).fields[0]!.type.items);
/** Avro's zig-zag varint of a long. */
const zz = (n: number): Buffer => {
  let v = n < 0 ? -2 * n - 1 : 2 * n;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
};
const body = (pack: Buffer) => pack.subarray(10);

/** A stand-in record: the single-object marker, a fingerprint and a body (what packs may carry). */
const record = (bodyBytes: number) => Buffer.concat([Buffer.from([0xc3, 0x01]), randomBytes(8 + bodyBytes)]);

function sample(n: number): RawPackMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    value: record(i * 37),
    headers: i % 3 === 0 ? {} : { 'probity-tenant': `tenant-${i}`, ...(i % 2 ? { 'probity-emitter-batch': 'é'.repeat(i * 50) } : {}) },
  }));
}

const expectMalformed = (bytes: Buffer) => {
  let error: unknown;
  try {
    decodeRawPack(bytes);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(EvidenceError);
  expect((error as EvidenceError).code).toBe('RAW_PACK_MALFORMED');
};

describe('raw pack', () => {
  it('the published schema file is the code schema, and its fingerprint heads every pack', () => {
    const file = JSON.parse(readFileSync(new URL('../../../schemas/wire/RawPack.v1.avsc', import.meta.url), 'utf8'));
    expect(file).toEqual(RAW_PACK_SCHEMA);
    expect(RAW_PACK_FINGERPRINT.equals(fingerprint64(file))).toBe(true);
    const pack = encodeRawPack(sample(2));
    expect(pack.subarray(0, 2).toString('hex')).toBe('c301');
    expect(pack.subarray(2, 10).equals(RAW_PACK_FINGERPRINT)).toBe(true);
    expect(isRawPack(pack)).toBe(true);
  });

  it.each([1, 2, 7, 300])('round-trips %i messages, sized exactly, and avsc reads the same body', (n) => {
    const messages = sample(n);
    const pack = encodeRawPack(messages);
    expect(pack.length).toBe(rawPackOverhead(n) + messages.reduce((sum, m) => sum + rawPackMessageSize(m), 0));
    const decoded = decodeRawPack(pack);
    expect(decoded.map((m) => ({ value: Buffer.from(m.value).toString('hex'), headers: m.headers }))).toEqual(messages.map((m) => ({ value: m.value.toString('hex'), headers: m.headers })));
    const viaAvsc = avroType.decode(body(pack));
    expect(viaAvsc.messages.map((m) => m.value.toString('hex'))).toEqual(messages.map((m) => m.value.toString('hex')));
    expect(viaAvsc.messages.map((m) => m.headers)).toEqual(messages.map((m) => m.headers));
  });

  it('reads what avsc writes, blocks with negative counts and byte sizes included', () => {
    const messages = sample(5);
    const plain = Buffer.concat([Buffer.from([0xc3, 0x01]), RAW_PACK_FINGERPRINT, avroType.encode({ messages })]);
    expect(decodeRawPack(plain).map((m) => m.value.toString('hex'))).toEqual(messages.map((m) => m.value.toString('hex')));
    // One block of -2 items with its byte size, then one of 1 item: how Java's blocking encoders write arrays.
    const items = messages.slice(0, 3).map((m) => itemType.encode(m));
    const blocked = Buffer.concat([Buffer.from([0xc3, 0x01]), RAW_PACK_FINGERPRINT, zz(-2), zz(items[0]!.length + items[1]!.length), items[0]!, items[1]!, zz(1), items[2]!, zz(0)]);
    expect(decodeRawPack(blocked).map((m) => m.value.toString('hex'))).toEqual(messages.slice(0, 3).map((m) => m.value.toString('hex')));
  });

  it('counts messages without building them', () => {
    for (const n of [1, 3, 300]) expect(countRawPackMessages(encodeRawPack(sample(n)))).toBe(n);
    expect(countRawPackMessages(encodeRawPack(sample(3)).subarray(0, 40))).toBeNull();
    expect(countRawPackMessages(record(20))).toBeNull();
  });

  it('refuses more than RAW_PACK_MAX_MESSAGES messages and entries that are not single-object records, whole', () => {
    const tiny = record(0);
    const many = encodeRawPack(Array.from({ length: RAW_PACK_MAX_MESSAGES + 1 }, () => ({ value: tiny, headers: {} })));
    expectMalformed(many);
    expect(decodeRawPack(encodeRawPack(Array.from({ length: RAW_PACK_MAX_MESSAGES }, () => ({ value: tiny, headers: {} }))))).toHaveLength(RAW_PACK_MAX_MESSAGES);
    for (const value of [Buffer.alloc(0), Buffer.from('not a record at all'), Buffer.from([0xc3, 0x01, 1, 2])]) {
      expectMalformed(encodeRawPack([{ value: record(5), headers: {} }, { value, headers: {} }]));
    }
  });

  it('keeps a header named __proto__ as an ordinary header', () => {
    const headers: Record<string, string> = Object.create(null);
    headers['__proto__'] = 'x';
    headers['a'] = 'b';
    const [decoded] = decodeRawPack(encodeRawPack([{ value: record(3), headers }]));
    expect(Object.keys(decoded!.headers)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('values are views into the pack (no copy)', () => {
    const pack = encodeRawPack(sample(3));
    const [, second] = decodeRawPack(pack);
    expect(second!.value.buffer).toBe(pack.buffer);
  });

  it('refuses an empty pack, trailing bytes, and anything that is not a pack', () => {
    expect(() => encodeRawPack([])).toThrow(RangeError);
    expectMalformed(Buffer.concat([Buffer.from([0xc3, 0x01]), RAW_PACK_FINGERPRINT, Buffer.from([0])]));
    expectMalformed(Buffer.concat([encodeRawPack(sample(2)), Buffer.from([0])]));
    expectMalformed(Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0]));
    expect(countRawPackMessages(Buffer.concat([encodeRawPack(sample(2)), Buffer.from([0])]))).toBeNull();
    expect(isRawPack(null)).toBe(false);
    expect(isRawPack(Buffer.from([0xc3, 0x01]))).toBe(false);
  });

  it('refuses lengths and counts that run past the end before allocating for them', () => {
    const header = Buffer.concat([Buffer.from([0xc3, 0x01]), RAW_PACK_FINGERPRINT]);
    expectMalformed(Buffer.concat([header, zz(2 ** 40), Buffer.from([0])])); // a block of 2^40 items
    expectMalformed(Buffer.concat([header, zz(1), zz(2 ** 30), Buffer.from([1, 2, 3])])); // a 1 GiB value
    expectMalformed(Buffer.concat([header, zz(1), zz(-5)])); // a negative length
    expectMalformed(Buffer.concat([header, Buffer.alloc(11, 0xff)])); // a varint of 11 bytes
  });

  it('every truncation and every single flipped byte either decodes to a whole pack or fails with RAW_PACK_MALFORMED', () => {
    const pack = encodeRawPack(sample(4));
    for (let end = 0; end < pack.length; end++) expectMalformed(pack.subarray(0, end));
    for (let i = 10; i < pack.length; i++) {
      const copy = Buffer.from(pack);
      copy[i] = copy[i]! ^ 0x41;
      try {
        const decoded = decodeRawPack(copy);
        expect(decoded.length).toBeGreaterThan(0);
      } catch (err) {
        expect((err as EvidenceError).code).toBe('RAW_PACK_MALFORMED');
      }
    }
  });
});
