import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compactRangeNodes, generateSigningKey, leafHash, merkleRootFromHashes, signCheckpoint, signEnvelope, toBase64, trustedKeyFor } from '@probity/crypto';
import { EMITTER_PAYLOAD_TYPE } from './payload-types.js';
import { encodeSignedBatch, expandSignedBatch, parseSignedBatch, type SignedBatchEntry } from './signed-batch.js';
import { toBundle } from './signed-record.js';
import { encodeStatement } from './statement.js';
import { verifySignedRecord } from './verify.js';

const notary = generateSigningKey('test-notary');
const emitter = generateSigningKey('test-emitter');
const notaryKeys = [{ ...trustedKeyFor(notary, { notBefore: new Date('2020-01-01T00:00:00Z') }), name: notary.name }];
const origin = 'test.local/evidence/shard/1';

/** A log of `before` earlier leaves, then `records` new ones in one batch, as the notary would send it. */
function batchOf(before: number, records: number): { json: Buffer } {
  const earlier = Array.from({ length: before }, (_, i) => leafHash(Buffer.from(`earlier ${i}`)));
  const entries: SignedBatchEntry[] = Array.from({ length: records }, (_, i) => {
    const record = Buffer.from(`record ${i}`);
    const signed = i % 2 === 0 ? signEnvelope(record, EMITTER_PAYLOAD_TYPE, emitter).signatures : null;
    const contentHash = createHash('sha256').update(record).digest('hex');
    const statement = encodeStatement({
      v: 1, tenant: 'acme', content_hash: contentHash, record_type: 'EvidenceManifest', schema_fingerprint: '00', log: origin, shard: 1, index: before + i,
      notarized_at: '2026-11-24T00:00:00.000Z', emitter_key_ids: signed ? [emitter.keyId] : [],
      emitter_signatures_sha256: signed ? createHash('sha256').update(JSON.stringify(signed)).digest('hex') : null,
    });
    return {
      tenant: 'acme', content_hash: contentHash, record_type: 'EvidenceManifest', schema_version: 1, schema_fingerprint: '00', record: record.toString('base64'),
      statement: statement.toString('base64'), emitter_signatures: signed, notary_envelope: null, store: { pack: 'p', offset: i, length: record.length }, source_offset: String(10 + i),
    };
  });
  const all = [...earlier, ...entries.map((e) => leafHash(Buffer.from(e.statement, 'base64')))];
  const range = compactRangeNodes(before).map(({ level, start }) => toBase64(merkleRootFromHashes(all.slice(start, start + 2 ** level))));
  const checkpoint = signCheckpoint({ origin, size: all.length, rootHash: merkleRootFromHashes(all) }, notary);
  const json = encodeSignedBatch({ log: origin, shard: 1, first_index: before, compact_range: range, checkpoint, source_topic: 'raw' }, entries.map((e) => JSON.stringify(e)));
  return { json };
}

describe('signed batches', () => {
  it('expand into records that each verify offline, with emitter envelopes rebuilt around the record bytes', () => {
    const records = expandSignedBatch(parseSignedBatch(batchOf(21, 6).json));
    expect(records.map((r) => r.leaf_index)).toEqual([21, 22, 23, 24, 25, 26]);
    expect(records[0]!.source).toEqual({ topic: 'raw', partition: 1, offset: '10' });
    expect(records[0]!.emitter_envelope?.payload).toBe(records[0]!.record);
    expect(records[1]!.emitter_envelope).toBeNull();
    for (const record of records) {
      const report = verifySignedRecord(toBundle(record), { notaryKeys, emitterKeys: [trustedKeyFor(emitter, { notBefore: new Date('2020-01-01T00:00:00Z') })] });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    }
  });

  it('refuse a batch whose leaves do not hash to the checkpoint root, or whose records disagree with their statements', () => {
    const batch = parseSignedBatch(batchOf(5, 3).json);
    const swapped = { ...batch, records: [batch.records[1]!, batch.records[0]!, batch.records[2]!] };
    expect(() => expandSignedBatch(swapped)).toThrow(expect.objectContaining({ code: 'SIGNED_BATCH_INCONSISTENT' }));
    const shorter = { ...batch, records: batch.records.slice(0, 2) };
    expect(() => expandSignedBatch(shorter)).toThrow(/checkpoint size 8 is not 5 \+ 2 records/);
    const otherTenant = { ...batch, records: batch.records.map((r, i) => (i === 2 ? { ...r, tenant: 'globex' } : r)) };
    expect(() => expandSignedBatch(otherTenant)).toThrow(/records\[2\] disagrees with its statement/);
    const badRange = { ...batch, compact_range: batch.compact_range.slice(1) };
    expect(() => expandSignedBatch(badRange)).toThrow(expect.objectContaining({ code: 'SIGNED_BATCH_MALFORMED' }));
  });

  it('refuse what is not a signed batch with SIGNED_BATCH_MALFORMED', () => {
    for (const value of [null, '{', '{"format":"probity.signed-record/v1"}', JSON.stringify({ ...JSON.parse(batchOf(0, 1).json.toString('utf8')), records: [] })]) {
      expect(() => parseSignedBatch(value)).toThrow(expect.objectContaining({ code: 'SIGNED_BATCH_MALFORMED' }));
    }
  });
});
