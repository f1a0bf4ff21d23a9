import type { EnvelopeSignature } from '@probity/crypto';

/**
 * What the notary decides about one raw message, as a value (PostHog's
 * ingestion style): the batch loop, not each step, turns outcomes into log
 * appends, DLQ messages and offsets. Only infrastructure failures throw.
 */
export type DlqReason =
  | 'OVERSIZED'
  | 'NOT_SINGLE_OBJECT'
  | 'UNKNOWN_FINGERPRINT'
  | 'BODY_INVALID'
  | 'SEMANTIC_INVALID'
  | 'TENANT_MISMATCH'
  | 'SIGNATURE_REQUIRED'
  | 'SIGNATURE_INVALID'
  /** A raw pack (several records in one Kafka message) that cannot be read: the whole message is dead-lettered. */
  | 'PACK_INVALID';

export interface AcceptedRecord {
  tenant: string;
  contentHash: Buffer;
  contentHashHex: string;
  recordType: string;
  schemaVersion: number;
  schemaFingerprint: string;
  bytes: Buffer;
  emitterKeyIds: string[];
  /**
   * The emitter's DSSE signatures when it signed, in the canonical form
   * verification returns; with the record bytes as payload they are its envelope
   * (or with `emitterBatch.payload`, when the emitter signed a batch).
   */
  emitterSignatures: EnvelopeSignature[] | null;
  /** When the emitter signed a batch: the batch statement (base64) and this record's leaf index and proof. */
  emitterBatch: { payload: string; index: number; proof: string[] } | null;
}

export type Outcome =
  | { kind: 'accept'; record: AcceptedRecord }
  | { kind: 'duplicate'; contentHashHex: string }
  | { kind: 'dlq'; reason: DlqReason; detail: string };
