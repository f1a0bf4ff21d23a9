export { encodeStatement, decodeStatement, emitterBatchEnvelopeSha256, emitterSignaturesSha256, STATEMENT_PAYLOAD_TYPE } from './statement.js';
export type { Statement } from './statement.js';
export { SIGNED_RECORD_FORMAT, toBundle } from './signed-record.js';
export type { SignedRecord, SignedRecordMessage } from './signed-record.js';
export { SIGNED_BATCH_FORMAT, encodeSignedBatch, parseSignedBatch, expandSignedBatch, expandSignedBatchEntries, signedBatchEntrySize } from './signed-batch.js';
export type { SignedBatch, SignedBatchEntry } from './signed-batch.js';
export { EvidenceError } from './errors.js';
export type { EvidenceErrorCode } from './errors.js';
export { verifySignedRecord } from './verify.js';
export type { VerificationReport, VerifyOptions, VerificationCheck } from './verify.js';
export { EMITTER_PAYLOAD_TYPE, EMITTER_BATCH_PAYLOAD_TYPE } from './payload-types.js';
export {
  MAX_EMITTER_BATCH,
  EmitterBatchTree,
  decodeEmitterBatchStatement,
  emitterBatchIncludes,
  encodeEmitterBatchHeader,
  encodeEmitterBatchStatement,
  parseEmitterBatchHeader,
  signEmitterBatch,
} from './emitter-batch.js';
export type { EmitterBatchProof, EmitterBatchStatement } from './emitter-batch.js';
export { RAW_PACK_FINGERPRINT, RAW_PACK_MAX_MESSAGES, RAW_PACK_SCHEMA, countRawPackMessages, decodeRawPack, encodeRawPack, isRawPack, rawPackMessageSize, rawPackOverhead } from './raw-pack.js';
export type { RawPackMessage } from './raw-pack.js';
export { CSV_COLUMNS, EVIDENCE_SUMMARY_FIELDS, csvCells, csvField, csvHeader, csvLine, deriveEvidenceSummary, isoMicros, occurredAtMs } from './document.js';
export type { DecodedRecordValue, EvidenceSummary } from './document.js';
export { verifyEvidenceDocument } from './verify-document.js';
export type { DocumentReport, DocumentVerifyOptions } from './verify-document.js';
