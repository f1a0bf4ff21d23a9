import { createHash } from 'node:crypto';
import { HEADER } from '@probity/kafka';
import { encodeEmitterBatchHeader, MAX_EMITTER_BATCH, signEmitterBatch } from '@probity/evidence';
import type { RecordSigner } from './record-encoder.js';
import type { SpooledMessage } from './spool/frame.js';

/**
 * Sign outgoing messages in batches (RecordSigner mode `batch`): per tenant,
 * runs of up to MAX_EMITTER_BATCH records get one Ed25519 signature over the
 * root of a tree of their content hashes, and each message a
 * `probity-emitter-batch` header with that signature and its inclusion proof.
 * Runs just before a batch goes to Kafka or the spool, so what is spooled is
 * signed already and replays unchanged. Messages that carry a signature of
 * either kind are left as they are.
 */
export function signBatchOfMessages(messages: readonly SpooledMessage[], signer: RecordSigner): void {
  const byTenant = new Map<string, SpooledMessage[]>();
  for (const message of messages) {
    if (message.headers[HEADER.emitterSignature] !== undefined || message.headers[HEADER.emitterBatch] !== undefined) continue;
    const tenant = message.headers[HEADER.tenant] ?? '';
    let list = byTenant.get(tenant);
    if (!list) byTenant.set(tenant, (list = []));
    list.push(message);
  }
  for (const [tenant, list] of byTenant) {
    for (let start = 0; start < list.length; start += MAX_EMITTER_BATCH) {
      const run = list.slice(start, start + MAX_EMITTER_BATCH);
      // Hashed again rather than trusting the key: what the notary checks is the hash of these bytes.
      const proofs = signEmitterBatch(tenant, run.map((m) => createHash('sha256').update(m.value).digest()), signer);
      run.forEach((message, i) => (message.headers[HEADER.emitterBatch] = encodeEmitterBatchHeader(proofs[i]!)));
    }
  }
}
