export { encodeStatement, decodeStatement, STATEMENT_PAYLOAD_TYPE } from './statement.js';
export type { Statement } from './statement.js';
export { SIGNED_RECORD_FORMAT, toBundle } from './signed-record.js';
export type { SignedRecord, SignedRecordMessage } from './signed-record.js';
export { verifySignedRecord } from './verify.js';
export type { VerificationReport, VerifyOptions, VerificationCheck } from './verify.js';
export { EMITTER_PAYLOAD_TYPE } from './payload-types.js';
