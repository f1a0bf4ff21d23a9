import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactRangeNodes, fromBase64, generateSigningKey, leafHash, merkleRootFromHashes, parseSignedCheckpoint, signCheckpoint, signEnvelope, signNote, toBase64, trustedKeyFor } from '@probity/crypto';
import { encodeEmitterBatchStatement, signEmitterBatch } from './emitter-batch.js';
import { EMITTER_BATCH_PAYLOAD_TYPE, EMITTER_PAYLOAD_TYPE } from './payload-types.js';
import { encodeSignedBatch, expandSignedBatch, parseSignedBatch, signedBatchEntrySize, type SignedBatchEntry } from './signed-batch.js';
import { toBundle } from './signed-record.js';
import { emitterBatchEnvelopeSha256, encodeStatement } from './statement.js';
import { verifySignedRecord } from './verify.js';

const notary = generateSigningKey('test-notary');
const emitter = generateSigningKey('test-emitter');
const notaryKeys = [{ ...trustedKeyFor(notary, { notBefore: new Date('2020-01-01T00:00:00Z') }), name: notary.name }];
const origin = 'test.local/evidence/shard/1';

/** A log of `before` earlier leaves, then `records` new ones in one batch, as the notary would send it (and as v1 JSON). */
function batchOf(before: number, records: number, options: { notaryEnvelopes?: boolean; emitterBatches?: boolean } = {}): { bytes: Buffer; json: string; entries: SignedBatchEntry[] } {
  const earlier = Array.from({ length: before }, (_, i) => leafHash(Buffer.from(`earlier ${i}`)));
  const recordBytes = Array.from({ length: records }, (_, i) => Buffer.from(`record ${i}`));
  // With emitterBatches, every third record (1, 4, …) is signed by one emitter batch signature instead.
  const batchSigned = options.emitterBatches ? recordBytes.filter((_, i) => i % 3 === 1) : [];
  const batchProofs = signEmitterBatch('acme', batchSigned.map((r) => createHash('sha256').update(r).digest()), emitter);
  const entries: SignedBatchEntry[] = recordBytes.map((record, i) => {
    const batchProof = options.emitterBatches && i % 3 === 1 ? batchProofs[(i - 1) / 3]! : null;
    const signed = batchProof ? batchProof.signatures : i % 2 === 0 ? signEnvelope(record, EMITTER_PAYLOAD_TYPE, emitter).signatures : null;
    const contentHash = createHash('sha256').update(record).digest('hex');
    const statement = encodeStatement({
      v: 1, tenant: 'acme', content_hash: contentHash, record_type: 'EvidenceManifest', schema_fingerprint: '00', log: origin, shard: 1, index: before + i,
      notarized_at: '2026-11-24T00:00:00.000Z', emitter_key_ids: signed ? [emitter.keyId] : [],
      emitter_signatures_sha256: batchProof ? emitterBatchEnvelopeSha256(batchProof.payload, batchProof.signatures) : signed ? createHash('sha256').update(JSON.stringify(signed)).digest('hex') : null,
    });
    return {
      tenant: 'acme', content_hash: contentHash, record_type: 'EvidenceManifest', schema_version: 1, schema_fingerprint: '00', record, statement,
      emitter_signatures: signed, notary_envelope: options.notaryEnvelopes ? signEnvelope(statement, 'application/vnd.probity.statement+json', notary) : null,
      store: { pack: 'p', offset: i, length: record.length }, source_offset: String(10 + i),
      emitter_batch: batchProof ? { payload: batchProof.payload, index: batchProof.index, proof: batchProof.proof } : null,
    };
  });
  const all = [...earlier, ...entries.map((e) => leafHash(e.statement))];
  const range = compactRangeNodes(before).map(({ level, start }) => merkleRootFromHashes(all.slice(start, start + 2 ** level)));
  const checkpoint = signCheckpoint({ origin, size: all.length, rootHash: merkleRootFromHashes(all) }, notary);
  const head = { log: origin, shard: 1, first_index: before, compact_range: range, checkpoint, source_topic: 'raw' };
  const json = JSON.stringify({
    format: 'probity.signed-batch/v1',
    ...head,
    compact_range: range.map((h) => toBase64(h)),
    records: entries.map((e) => ({ ...e, record: e.record.toString('base64'), statement: e.statement.toString('base64') })),
  });
  return { bytes: encodeSignedBatch(head, entries), json, entries };
}

describe('signed batches', () => {
  it('expand into records that each verify offline, with emitter envelopes rebuilt around the record bytes', () => {
    const records = expandSignedBatch(parseSignedBatch(batchOf(21, 6).bytes));
    expect(records.map((r) => r.leaf_index)).toEqual([21, 22, 23, 24, 25, 26]);
    expect(records[0]!.source).toEqual({ topic: 'raw', partition: 1, offset: '10' });
    expect(records[0]!.emitter_envelope?.payload).toBe(records[0]!.record);
    expect(records[1]!.emitter_envelope).toBeNull();
    for (const record of records) {
      const report = verifySignedRecord(toBundle(record), { notaryKeys, emitterKeys: [trustedKeyFor(emitter, { notBefore: new Date('2020-01-01T00:00:00Z') })] });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    }
  });

  it('carry records signed by an emitter batch: the bundle holds the batch envelope and the proof, and verifies', () => {
    const emitterKeys = [trustedKeyFor(emitter, { notBefore: new Date('2020-01-01T00:00:00Z') })];
    const { bytes } = batchOf(2, 7, { emitterBatches: true });
    const records = expandSignedBatch(parseSignedBatch(bytes));
    const batchSigned = records.filter((_, i) => i % 3 === 1);
    expect(batchSigned).toHaveLength(2);
    // The two records share one emitter envelope, written once.
    expect(bytes.toString('latin1').split(batchSigned[0]!.emitter_envelope!.payload).length - 1).toBe(1);
    expect(batchSigned[1]!.emitter_envelope).toEqual(batchSigned[0]!.emitter_envelope);
    for (const record of batchSigned) {
      expect(record.emitter_envelope?.payloadType).toBe(EMITTER_BATCH_PAYLOAD_TYPE);
      expect(record.emitter_batch_proof?.proof.length).toBe(1);
    }
    expect(records[0]!.emitter_batch_proof).toBeUndefined();
    for (const record of records) {
      const report = verifySignedRecord(toBundle(record), { notaryKeys, emitterKeys });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    }
    // The proof is what ties the record to the signed root: another record's proof, or none, does not verify.
    const [first, second] = batchSigned;
    const swapped = { ...toBundle(first!), emitter_batch_proof: second!.emitter_batch_proof! };
    expect(verifySignedRecord(swapped, { notaryKeys, emitterKeys }).checks.find((c) => !c.ok)?.detail).toMatch(/is not leaf 1 of the emitter batch of 2/);
    const { emitter_batch_proof: _dropped, ...withoutProof } = toBundle(first!);
    expect(verifySignedRecord(withoutProof, { notaryKeys, emitterKeys }).checks.find((c) => !c.ok)?.detail).toMatch(/without the record's inclusion proof/);
    expect(verifySignedRecord({ ...toBundle(first!), emitter_batch_proof: { ...first!.emitter_batch_proof!, note: 'x' } } as never, { notaryKeys }).checks.find((c) => !c.ok)?.name).toBe('format');
    expect(verifySignedRecord({ ...toBundle(records[1]!), emitter_envelope: null, emitter_batch_proof: first!.emitter_batch_proof! }, { notaryKeys }).valid).toBe(false);
  });

  it('bind the whole emitter envelope: without emitter keys a rewritten statement or a per-record envelope recast as a batch one still fails', () => {
    // Records 1 and 4 share one emitter batch of two.
    const records = expandSignedBatch(parseSignedBatch(batchOf(0, 7, { emitterBatches: true }).bytes));
    const [perRecord, batchSigned] = [toBundle(records[0]!), toBundle(records[1]!)];
    // A made-up one-leaf tree of this record, under the same signatures: its own proof would hold, the binding does not.
    const oneLeaf = encodeEmitterBatchStatement({ v: 1, tenant: 'acme', size: 1, root: Buffer.from(leafHash(createHash('sha256').update(Buffer.from(batchSigned.record, 'base64')).digest())).toString('hex') });
    const rewritten = { ...batchSigned, emitter_envelope: { ...batchSigned.emitter_envelope!, payload: oneLeaf.toString('base64') }, emitter_batch_proof: { index: 0, proof: [] } };
    expect(verifySignedRecord(rewritten, { notaryKeys }).checks.find((c) => !c.ok)?.detail).toMatch(/differs from the one the notary verified/);
    const recast = { ...perRecord, emitter_envelope: { ...perRecord.emitter_envelope!, payloadType: EMITTER_BATCH_PAYLOAD_TYPE, payload: oneLeaf.toString('base64') }, emitter_batch_proof: { index: 0, proof: [] } };
    expect(verifySignedRecord(recast, { notaryKeys }).valid).toBe(false);
    expect(verifySignedRecord(batchSigned, { notaryKeys }).valid).toBe(true);
  });

  it('never merge different signature lists into one emitter envelope, whatever their key ids', () => {
    const { entries } = batchOf(0, 5, { emitterBatches: true });
    const [a, b] = [entries[1]!, entries[4]!];
    const good = a.emitter_signatures![0]!;
    // Joined as "keyid sig" lines these two lists would read the same; they are different lists.
    const first = { ...a, emitter_signatures: [good, { keyid: 'x', sig: 'AAAA' }, { keyid: 'y', sig: 'BBBB' }] };
    const second = { ...b, emitter_signatures: [good, { keyid: 'x AAAA\ny', sig: 'BBBB' }] };
    const head = { ...parseSignedBatch(batchOf(0, 1).bytes) };
    const decoded = parseSignedBatch(encodeSignedBatch(head, [first, second])).records;
    expect(decoded.map((e) => e.emitter_signatures)).toEqual([first.emitter_signatures, second.emitter_signatures]);
  });

  it('read the v2 layout an earlier build wrote (fixtures/signed-batch-v2.json: written by the code at 313ee8f)', () => {
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/signed-batch-v2.json', import.meta.url), 'utf8')) as { batch: string; notaryPublicKey: string; notaryName: string };
    const v2Keys = [{ keyId: 'v2', publicKey: fromBase64(fixture.notaryPublicKey), notBefore: new Date('2020-01-01T00:00:00Z'), name: fixture.notaryName }];
    const records = expandSignedBatch(parseSignedBatch(Buffer.from(fixture.batch, 'base64')));
    expect(records).toHaveLength(3);
    for (const record of records) {
      expect(record.emitter_batch_proof).toBeUndefined();
      expect(verifySignedRecord(toBundle(record), { notaryKeys: v2Keys }).valid).toBe(true);
    }
  });

  it('refuse a batch whose leaves do not hash to the checkpoint root, or whose records disagree with their statements', () => {
    const batch = parseSignedBatch(batchOf(5, 3).bytes);
    const swapped = { ...batch, records: [batch.records[1]!, batch.records[0]!, batch.records[2]!] };
    expect(() => expandSignedBatch(swapped)).toThrow(expect.objectContaining({ code: 'SIGNED_BATCH_INCONSISTENT' }));
    const shorter = { ...batch, records: batch.records.slice(0, 2) };
    expect(() => expandSignedBatch(shorter)).toThrow(/checkpoint size 8 is not 5 \+ 2 records/);
    const otherTenant = { ...batch, records: batch.records.map((r, i) => (i === 2 ? { ...r, tenant: 'globex' } : r)) };
    expect(() => expandSignedBatch(otherTenant)).toThrow(/records\[2\] disagrees with its statement/);
    const badRange = { ...batch, compact_range: batch.compact_range.slice(1) };
    expect(() => expandSignedBatch(badRange)).toThrow(expect.objectContaining({ code: 'SIGNED_BATCH_MALFORMED' }));
  });

  it("verify a record's checkpoint only when a notary key signed it: a witness's signature alone is refused, beside the notary's it is fine", () => {
    const [record] = expandSignedBatch(parseSignedBatch(batchOf(2, 1).bytes));
    const witness = generateSigningKey('witness.example/w1');
    const checkpoint = parseSignedCheckpoint(record!.checkpoint);
    const byWitness = verifySignedRecord(toBundle({ ...record!, checkpoint: signCheckpoint(checkpoint, witness) }), { notaryKeys });
    expect(byWitness.valid).toBe(false);
    expect(byWitness.checks.at(-1)).toMatchObject({ name: 'checkpoint_signature', ok: false, detail: expect.stringMatching(/not signed by a notary key valid at/) });
    expect(verifySignedRecord(toBundle({ ...record!, checkpoint: signCheckpoint(checkpoint, [witness, notary]) }), { notaryKeys }).valid).toBe(true);
  });

  it('refuse a checkpoint note whose body has a blank line: the note is split at its last blank line, as Go does, and the extension must not be lost', () => {
    const batch = parseSignedBatch(batchOf(5, 3).bytes);
    // Same size and root, signed, with an extension after a blank line: a first-blank-line split would read it as valid.
    const [body] = batch.checkpoint.split('\n\n');
    const blank = { ...batch, checkpoint: signNote(`${body}\n\nextension\n`, notary) };
    expect(() => expandSignedBatch(blank)).toThrow(expect.objectContaining({ code: 'SIGNED_BATCH_MALFORMED' }));
    expect(() => expandSignedBatch(blank)).toThrow(/extension lines must not be empty/);
  });

  it('read the v1 JSON layout of earlier builds into the same records', () => {
    const { bytes, json } = batchOf(3, 4);
    expect(expandSignedBatch(parseSignedBatch(json))).toEqual(expandSignedBatch(parseSignedBatch(bytes)));
    expect(expandSignedBatch(parseSignedBatch(Buffer.from(json)))).toEqual(expandSignedBatch(parseSignedBatch(bytes)));
  });

  it('refuse what is not a signed batch with SIGNED_BATCH_MALFORMED', () => {
    const { bytes, json } = batchOf(0, 1);
    const empty = encodeSignedBatch({ ...parseSignedBatch(bytes), records: undefined } as never, []);
    const hugeCount = Buffer.concat([bytes.subarray(0, 4), Buffer.from([0x02, 0x61, 0x02, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f])]);
    for (const value of [
      null,
      '{',
      '{"format":"probity.signed-record/v1"}',
      JSON.stringify({ ...JSON.parse(json), records: [] }),
      Buffer.from('garbage'),
      bytes.subarray(0, bytes.length - 3),
      Buffer.concat([bytes, Buffer.from([0])]),
      empty,
      hugeCount,
    ]) {
      expect(() => parseSignedBatch(value)).toThrow(expect.objectContaining({ code: 'SIGNED_BATCH_MALFORMED' }));
    }
  });

  it('estimate no less than an entry really takes, so split batches stay under the Kafka limit', () => {
    for (const [notaryEnvelopes, emitterBatches] of [[false, false], [true, false], [false, true]]) {
      const { entries } = batchOf(0, 8, { notaryEnvelopes, emitterBatches });
      const head = { ...parseSignedBatch(batchOf(0, 1).bytes) };
      for (const entry of entries) {
        const alone = encodeSignedBatch(head, [entry]).length - encodeSignedBatch(head, []).length;
        expect(signedBatchEntrySize(entry)).toBeGreaterThanOrEqual(alone);
        expect(signedBatchEntrySize(entry)).toBeLessThan(alone + 200);
      }
    }
  });
});
