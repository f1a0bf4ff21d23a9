import { fromBase64, verifyDetachedEnvelope, type EnvelopeSignature, type Keyring } from '@probity/crypto';
import { decodeEmitterBatchStatement, EMITTER_BATCH_PAYLOAD_TYPE, EmitterBatchTree, parseEmitterBatchHeader } from '@probity/evidence';
import type { AcceptedRecord, DlqReason } from './outcome.js';

export type EmitterBatchCheck = { keyIds: string[]; signatures: EnvelopeSignature[]; batch: NonNullable<AcceptedRecord['emitterBatch']> } | { reason: DlqReason; detail: string };

interface VerifiedBatch {
  /** The signed statement, remembering the nodes its records' proofs established. */
  tree: EmitterBatchTree;
  keyIds: string[];
  signatures: EnvelopeSignature[];
  /** The verification holds from when it was made until the last verifying key retires. */
  verifiedAtMs: number;
  validUntilMs: number;
}

/**
 * Envelopes already verified, per keyring (a policy reload builds a new
 * keyring, so a revoked key stops counting at once). The key is the payload
 * and the signatures together: a valid signature must not vouch for another
 * payload. Only successes are kept; a bad envelope costs a verification each
 * time, as a bad per-record signature does.
 */
const verifiedBatches = new WeakMap<Keyring, Map<string, VerifiedBatch>>();
/** Batches kept per keyring: more than the emitter batches in flight across a notary's shards (~20 KB each at 128 records). */
const CACHE_ENTRIES = 1024;

/**
 * Check a record signed as part of an emitter batch: the batch envelope
 * verifies with the tenant's keys at `now` (once per batch, then from the
 * cache), its statement names this tenant, and the record's content hash is
 * the leaf the proof says. See EmitterBatchStatement for why this is as
 * strong as a signature per record.
 */
export function checkEmitterBatch(headerText: string, contentHash: Uint8Array, tenant: string, keyring: Keyring, now: Date): EmitterBatchCheck {
  let header: ReturnType<typeof parseEmitterBatchHeader>;
  let verified: VerifiedBatch;
  try {
    header = parseEmitterBatchHeader(headerText);
    verified = verifiedBatch(header.payload, header.signatures, keyring, now);
  } catch (err) {
    return { reason: 'SIGNATURE_INVALID', detail: (err as Error).message };
  }
  const { statement } = verified.tree;
  if (statement.tenant !== tenant) {
    return { reason: 'SIGNATURE_INVALID', detail: `the emitter batch is signed for tenant ${JSON.stringify(statement.tenant)}, the record is ${JSON.stringify(tenant)}'s` };
  }
  if (!verified.tree.includes(contentHash, header.index, header.proof)) {
    return { reason: 'SIGNATURE_INVALID', detail: `the record is not leaf ${header.index} of the signed emitter batch of ${statement.size} by its proof` };
  }
  return { keyIds: verified.keyIds, signatures: verified.signatures, batch: { payload: header.payload, index: header.index, proof: header.proof } };
}

function verifiedBatch(payloadBase64: string, signatures: unknown, keyring: Keyring, now: Date): VerifiedBatch {
  let cache = verifiedBatches.get(keyring);
  if (!cache) verifiedBatches.set(keyring, (cache = new Map()));
  const cacheKey = `${payloadBase64}\n${JSON.stringify(signatures)}`;
  const nowMs = now.getTime();
  const hit = cache.get(cacheKey);
  if (hit && hit.verifiedAtMs <= nowMs && nowMs <= hit.validUntilMs) return hit;

  const payload = fromBase64(payloadBase64);
  const statement = decodeEmitterBatchStatement(payload);
  const result = verifyDetachedEnvelope(EMITTER_BATCH_PAYLOAD_TYPE, payload, signatures, keyring, { at: now });
  const notAfter = result.keyIds.map((id) => keyring.keys.find((k) => k.keyId === id)?.notAfter?.getTime() ?? Number.POSITIVE_INFINITY);
  const entry: VerifiedBatch = { tree: new EmitterBatchTree(statement), keyIds: result.keyIds, signatures: result.signatures, verifiedAtMs: nowMs, validUntilMs: Math.max(...notAfter) };
  cache.delete(cacheKey);
  cache.set(cacheKey, entry);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return entry;
}
