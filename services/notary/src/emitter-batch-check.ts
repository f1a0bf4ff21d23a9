import { fromBase64, isKeyValidAt, verifyDetachedEnvelope, type EnvelopeSignature, type Keyring, type TrustedKey } from '@probity/crypto';
import { decodeEmitterBatchStatement, EMITTER_BATCH_PAYLOAD_TYPE, EmitterBatchTree, parseEmitterBatchHeader } from '@probity/evidence';
import type { AcceptedRecord, DlqReason } from './outcome.js';

export type EmitterBatchCheck = { keyIds: string[]; signatures: EnvelopeSignature[]; batch: NonNullable<AcceptedRecord['emitterBatch']> } | { reason: DlqReason; detail: string };

interface VerifiedBatch {
  /** The signed statement, remembering the nodes its records' proofs established. */
  tree: EmitterBatchTree;
  /** The keys whose signatures verified: a later record is covered while one of them is valid then. */
  keys: TrustedKey[];
  signatures: EnvelopeSignature[];
}

/**
 * Envelopes already verified, per keyring (any reload of the policy file
 * builds new keyrings, so a revoked key stops counting at once) and per
 * thread (each inspect worker keeps its own), by payload; a hit must
 * also present the very signatures that were verified: a valid signature
 * must not vouch for another payload, nor a payload for other signatures.
 * Only successes are kept; a bad envelope costs a verification each time, as
 * a bad per-record signature does.
 */
const verifiedBatches = new WeakMap<Keyring, Map<string, VerifiedBatch>>();
/**
 * Batches kept per keyring, least recently used dropped first (~20 KB each at
 * 128 records). Shards reach an emitter batch at different times; past this
 * many batches apart a shard verifies it again (costs time, not correctness).
 */
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
  // Shards notarize concurrently, each at its own `now`: validity is judged per record, not per verification.
  const keyIds = verified.keys.filter((key) => isKeyValidAt(key, now)).map((key) => key.keyId);
  const { statement } = verified.tree;
  if (statement.tenant !== tenant) {
    return { reason: 'SIGNATURE_INVALID', detail: `the emitter batch is signed for tenant ${JSON.stringify(statement.tenant)}, the record is ${JSON.stringify(tenant)}'s` };
  }
  if (!verified.tree.includes(contentHash, header.index, header.proof)) {
    return { reason: 'SIGNATURE_INVALID', detail: `the record is not leaf ${header.index} of the signed emitter batch of ${statement.size} by its proof` };
  }
  return { keyIds, signatures: verified.signatures, batch: { payload: header.payload, index: header.index, proof: header.proof } };
}

function verifiedBatch(payloadBase64: string, signatures: unknown, keyring: Keyring, now: Date): VerifiedBatch {
  let cache = verifiedBatches.get(keyring);
  if (!cache) verifiedBatches.set(keyring, (cache = new Map()));
  const hit = cache.get(payloadBase64);
  if (hit && hit.keys.some((key) => isKeyValidAt(key, now)) && sameSignatures(hit.signatures, signatures)) return remember(cache, payloadBase64, hit);

  const payload = fromBase64(payloadBase64);
  const statement = decodeEmitterBatchStatement(payload);
  const result = verifyDetachedEnvelope(EMITTER_BATCH_PAYLOAD_TYPE, payload, signatures, keyring, { at: now });
  const keys = result.keyIds.map((id) => keyring.keys.find((key) => key.keyId === id)!);
  return remember(cache, payloadBase64, { tree: new EmitterBatchTree(statement), keys, signatures: result.signatures });
}

/** Make `entry` the most recently used (a Map iterates in insertion order) and drop the least recently used past the limit. */
function remember(cache: Map<string, VerifiedBatch>, key: string, entry: VerifiedBatch): VerifiedBatch {
  cache.delete(key);
  cache.set(key, entry);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return entry;
}

/**
 * Whether `raw` (as the header had them) are exactly the canonical signatures
 * verified before: the same list, each an object of only `keyid` (absent
 * meaning '') and `sig`, as verification itself would require of them.
 */
function sameSignatures(canonical: readonly EnvelopeSignature[], raw: unknown): boolean {
  if (!Array.isArray(raw) || raw.length !== canonical.length) return false;
  return raw.every((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
    const signature = item as Record<string, unknown>;
    for (const key in signature) if (key !== 'keyid' && key !== 'sig') return false;
    return (signature.keyid ?? '') === canonical[i]!.keyid && signature.sig === canonical[i]!.sig;
  });
}
