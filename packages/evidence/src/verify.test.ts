import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, inclusionProofFromHashes, leafHash, merkleRootFromHashes, signCheckpoint, toBase64, trustedKeyFor } from '@probity/crypto';
import { SIGNED_RECORD_FORMAT, type SignedRecord } from './signed-record.js';
import { encodeStatement } from './statement.js';
import { verifySignedRecord } from './verify.js';

// Key A signed until the rotation on 2026-06-01, key B since; key C was retired before the record existed.
const rotation = new Date('2026-06-01T00:00:00Z');
const keyA = generateSigningKey('notary');
const keyB = generateSigningKey('notary');
const keyC = generateSigningKey('notary');
const notaryKeys = [
  { ...trustedKeyFor(keyA, { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: rotation }), name: keyA.name },
  { ...trustedKeyFor(keyB, { notBefore: rotation }), name: keyB.name },
  { ...trustedKeyFor(keyC, { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2025-12-31T00:00:00Z') }), name: keyC.name },
];
const origin = 'test.local/evidence/shard/0';
const record = Buffer.from('a record');
const contentHash = createHash('sha256').update(record).digest('hex');
const statement = encodeStatement({
  v: 1, tenant: 'acme', content_hash: contentHash, record_type: 'EvidenceManifest', schema_fingerprint: '00', log: origin, shard: 0, index: 0,
  notarized_at: '2026-05-01T00:00:00.000Z', emitter_key_ids: [], emitter_signatures_sha256: null,
});
const leaves = [leafHash(statement), leafHash(Buffer.from('a later leaf'))];
const bundle: SignedRecord = {
  format: SIGNED_RECORD_FORMAT, tenant: 'acme', content_hash: contentHash, record_type: 'EvidenceManifest', schema_fingerprint: '00', shard: 0, leaf_index: 0,
  record: record.toString('base64'), statement: statement.toString('base64'), emitter_envelope: null, notary_envelope: null,
  checkpoint: signCheckpoint({ origin, size: 1, rootHash: merkleRootFromHashes(leaves.slice(0, 1)) }, keyA),
  inclusion_proof: [],
};
const laterProof = inclusionProofFromHashes(0, leaves).map((h) => toBase64(h));
const later = (signer: typeof keyA): SignedRecord => ({ ...bundle, checkpoint: signCheckpoint({ origin, size: 2, rootHash: merkleRootFromHashes(leaves) }, signer), inclusion_proof: laterProof });

describe('checkpoint keys and notarization time', () => {
  it('the notarization checkpoint must be signed by a key valid when the record was notarized', () => {
    expect(verifySignedRecord(bundle, { notaryKeys }).valid).toBe(true);
    expect(verifySignedRecord(later(keyB), { notaryKeys }).valid).toBe(false);
  });

  it('a later checkpoint may be signed by the key rotated in since, never by one retired before the record', () => {
    expect(verifySignedRecord(later(keyB), { notaryKeys, laterCheckpoint: true }).valid).toBe(true);
    expect(verifySignedRecord(later(keyA), { notaryKeys, laterCheckpoint: true }).valid).toBe(true);
    const retired = verifySignedRecord(later(keyC), { notaryKeys, laterCheckpoint: true });
    expect(retired.valid).toBe(false);
    expect(retired.checks.at(-1)).toMatchObject({ name: 'checkpoint_signature', detail: expect.stringContaining('at or after 2026-05-01') });
  });
});
