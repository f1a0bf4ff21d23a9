import { createHash } from 'node:crypto';
import type { EnvelopeSignature } from '@probity/crypto';
import { EMITTER_BATCH_PAYLOAD_TYPE } from './payload-types.js';

/**
 * The log leaf. Each notarized record becomes one leaf whose bytes are this
 * statement, serialized as JSON with a fixed key order. The statement binds
 * the record's content hash to its tenant, log position and notarization time,
 * so an inclusion proof for the leaf under a signed checkpoint authenticates
 * the record as strongly as a per-record signature would (RFC 6962's argument:
 * the checkpoint signature covers the root, the root commits to every leaf).
 *
 * The exact bytes are shipped with the record; verifiers hash them as they are
 * and never re-serialize, so JSON canonicalization is not a verification concern.
 */
export interface Statement {
  /** Statement format version. */
  v: 1;
  tenant: string;
  /** Lowercase hex SHA-256 of the record's Avro single-object bytes. */
  content_hash: string;
  record_type: string;
  /** Hex CRC-64-AVRO fingerprint of the writer schema. */
  schema_fingerprint: string;
  /** The log this leaf belongs to: `<origin>/shard/<n>`. */
  log: string;
  shard: number;
  index: number;
  notarized_at: string;
  /** Key ids of emitter signatures the notary verified, empty when unsigned. */
  emitter_key_ids: string[];
  /**
   * Binds the emitter's envelope to the leaf, null when unsigned: `emitterSignaturesSha256` of the
   * signatures over the record, or `emitterBatchEnvelopeSha256` of an emitter batch envelope.
   */
  emitter_signatures_sha256: string | null;
}

/**
 * What a statement records of the emitter's DSSE signatures: the SHA-256
 * (hex) of their JSON. The notary computes it over the signatures it
 * verified, the verifier over those in the bundle's envelope; they must agree.
 */
export function emitterSignaturesSha256(signatures: readonly EnvelopeSignature[]): string {
  return createHash('sha256').update(JSON.stringify(signatures)).digest('hex');
}

/**
 * The same binding for an emitter batch envelope, whose payload (the batch
 * statement) the record's content hash does not fix: the SHA-256 (hex) of the
 * JSON of payload type, payload and signatures. The payload type is in it so
 * a per-record envelope's binding can never pass for a batch envelope's.
 */
export function emitterBatchEnvelopeSha256(payload: string, signatures: readonly EnvelopeSignature[]): string {
  return createHash('sha256').update(JSON.stringify({ payloadType: EMITTER_BATCH_PAYLOAD_TYPE, payload, signatures })).digest('hex');
}

export function encodeStatement(statement: Statement): Buffer {
  const ordered: Statement = {
    v: statement.v,
    tenant: statement.tenant,
    content_hash: statement.content_hash,
    record_type: statement.record_type,
    schema_fingerprint: statement.schema_fingerprint,
    log: statement.log,
    shard: statement.shard,
    index: statement.index,
    notarized_at: statement.notarized_at,
    emitter_key_ids: statement.emitter_key_ids,
    emitter_signatures_sha256: statement.emitter_signatures_sha256,
  };
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

export function decodeStatement(bytes: Uint8Array): Statement {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as Statement;
}

export const STATEMENT_PAYLOAD_TYPE = 'application/vnd.probity.statement.v1+json';
