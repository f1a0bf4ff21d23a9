import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeRawPack, isRawPack } from '@probity/evidence';
import { HEADER, partitionForKey } from '@probity/kafka';
import { packByPartition } from './packing.js';
import type { SpooledMessage } from './spool/frame.js';

const record = (i: number, size = 200): SpooledMessage => {
  const value = Buffer.alloc(size, i % 251);
  // Shaped like a single-object record (marker, then a distinct "fingerprint and body").
  value.writeUInt16BE(0xc301, 0);
  value.writeUInt32BE(i, 2);
  return { key: createHash('sha256').update(value).digest('hex'), value, headers: { [HEADER.tenant]: `t${i % 3}` } };
};

/** Every record as the notary sees it, with the partition it travels to, in send order per partition. */
function unpack(messages: ReturnType<typeof packByPartition>): { partition: number; record: SpooledMessage }[] {
  return messages.flatMap((m) => {
    const value = m.value as Buffer;
    if (!isRawPack(value)) return [{ partition: m.partition!, record: { key: m.key as string, value, headers: m.headers as Record<string, string> } }];
    expect(m.key).toBeNull();
    const entries = decodeRawPack(value);
    expect(m.headers).toEqual({ [HEADER.recordCount]: String(entries.length) });
    return entries.map((e) => ({ partition: m.partition!, record: { key: createHash('sha256').update(e.value).digest('hex'), value: Buffer.from(e.value), headers: e.headers } }));
  });
}

describe('packByPartition', () => {
  it('sends every record once, to the partition of its key, in order, in packs under the size limit', () => {
    const records = Array.from({ length: 500 }, (_, i) => record(i));
    const messages = packByPartition(records, 3, 16 * 1024);
    expect(messages.length).toBeLessThan(20);
    for (const m of messages) expect((m.value as Buffer).length).toBeLessThanOrEqual(16 * 1024);
    const seen = unpack(messages);
    expect(seen).toHaveLength(500);
    for (const { partition, record: r } of seen) expect(partition).toBe(partitionForKey(r.key, 3));
    for (const p of [0, 1, 2]) {
      const sent = records.filter((r) => partitionForKey(r.key, 3) === p);
      expect(seen.filter((s) => s.partition === p).map((s) => s.record)).toEqual(sent);
    }
  });

  it('sends a lone record, and one too large for any pack, as a plain message', () => {
    const big = record(1, 40 * 1024);
    const small = record(2);
    const partitions = 1;
    const messages = packByPartition([small, big], partitions, 16 * 1024);
    expect(messages.map((m) => isRawPack(m.value as Buffer))).toEqual([false, false]);
    expect(messages.map((m) => m.key)).toEqual([small.key, big.key]);
    expect(packByPartition([small], 3, 16 * 1024)[0]).toMatchObject({ key: small.key, value: small.value, partition: partitionForKey(small.key, 3) });
  });
});
