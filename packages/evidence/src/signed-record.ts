import type { Envelope } from '@probity/crypto';

/**
 * A notarized record as it travels on `probity.evidence.signed` and as an
 * auditor receives it (the "evidence bundle"). Every field is either covered
 * by the hash chain (record → statement → leaf → root → signed checkpoint) or
 * re-derived and compared by the verifier, so no byte of it can change unnoticed.
 */
export interface SignedRecord {
  format: 'probity.signed-record/v1';
  tenant: string;
  content_hash: string;
  record_type: string;
  schema_fingerprint: string;
  shard: number;
  leaf_index: number;
  /** The record's Avro single-object bytes, base64. */
  record: string;
  /** The log leaf bytes (statement JSON), base64. */
  statement: string;
  /**
   * The emitter's DSSE envelope when it signed: over the record bytes, or
   * (payload type EMITTER_BATCH_PAYLOAD_TYPE) over a batch statement whose
   * tree includes the record's content hash by `emitter_batch_proof`.
   */
  emitter_envelope: Envelope | null;
  /** Present with a batch envelope: the record's leaf index and inclusion proof (base64 hashes) in the emitter's tree. */
  emitter_batch_proof?: { index: number; proof: string[] };
  /** Optional per-record notary DSSE envelope over the statement (NOTARY_SIGN_RECORDS). */
  notary_envelope: Envelope | null;
  /** C2SP signed note of the shard's checkpoint that includes this leaf. */
  checkpoint: string;
  /** RFC 6962 inclusion proof of the leaf under `checkpoint`, base64 hashes. */
  inclusion_proof: string[];
}

/** Where the notary kept the bytes and where they came from: operational, not evidence. */
export interface SignedRecordMessage extends SignedRecord {
  /** Writer schema version (derivable from the fingerprint with the schema registry). */
  schema_version: number;
  store: { pack: string; offset: number; length: number };
  source: { topic: string; partition: number; offset: string };
}

export const SIGNED_RECORD_FORMAT = 'probity.signed-record/v1' as const;

/** The evidence bundle an auditor keeps: the signed record without the operational fields. */
export function toBundle(message: SignedRecordMessage | SignedRecord): SignedRecord {
  const { store: _store, source: _source, schema_version: _version, ...bundle } = message as SignedRecordMessage;
  return bundle;
}
