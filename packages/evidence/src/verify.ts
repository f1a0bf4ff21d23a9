import { createHash } from 'node:crypto';
import {
  CryptoError,
  fromBase64,
  isKeyValidAt,
  leafHash,
  noteKeyHash,
  parseNote,
  verifyCheckpoint,
  verifyEnvelope,
  verifyInclusionByHash,
  type Checkpoint,
  type TrustedKey,
} from '@probity/crypto';
import { decodeEmitterBatchStatement, emitterBatchIncludes } from './emitter-batch.js';
import { EMITTER_BATCH_PAYLOAD_TYPE, EMITTER_PAYLOAD_TYPE } from './payload-types.js';
import { decodeStatement, emitterBatchEnvelopeSha256, emitterSignaturesSha256, type Statement } from './statement.js';
import type { SignedRecord } from './signed-record.js';

export interface VerificationCheck {
  name: 'format' | 'content_hash' | 'statement' | 'inclusion' | 'checkpoint_signature' | 'emitter_signature' | 'notary_envelope' | 'record_decodes' | 'readable_fields';
  ok: boolean;
  detail: string;
}

export interface VerificationReport {
  valid: boolean;
  checks: VerificationCheck[];
  statement?: Statement;
  checkpoint?: Checkpoint;
}

export interface VerifyOptions {
  /** The notary's public keys with names and validity windows (the public keyring). */
  notaryKeys: readonly (TrustedKey & { name: string })[];
  /** The tenant's emitter keys; when absent an emitter envelope is checked for binding only. */
  emitterKeys?: readonly TrustedKey[];
  /** Optional schema check: decode the record bytes and throw if they are not a valid record. */
  decodeRecord?: (bytes: Uint8Array) => unknown;
  /**
   * The checkpoint may be a later one than the record's notarization checkpoint (a `latest`
   * proof): then any notary key still in service at notarization time or introduced since may
   * sign it, not only one valid at notarization time (after a rotation, later checkpoints are
   * signed by the new key). @defaultValue false
   */
  laterCheckpoint?: boolean;
}

/**
 * Verify a notarized record offline, with nothing but public keys:
 * the record bytes hash to the statement's content hash; the statement names
 * the same tenant, shard and index; the statement's leaf hash is included,
 * by the proof, in the root of a checkpoint signed by a notary key valid at
 * the statement's notarization time; the emitter's signatures (if any) are
 * bound to the statement and, given the tenant's keys, verify.
 */
export function verifySignedRecord(record: SignedRecord, options: VerifyOptions): VerificationReport {
  const checks: VerificationCheck[] = [];
  const fail = (name: VerificationCheck['name'], detail: string): VerificationReport => {
    checks.push({ name, ok: false, detail });
    return { valid: false, checks };
  };
  const pass = (name: VerificationCheck['name'], detail: string) => checks.push({ name, ok: true, detail });

  const shapeProblem = describeShapeProblem(record);
  if (shapeProblem !== null) return fail('format', shapeProblem);
  let recordBytes: Uint8Array;
  let statementBytes: Uint8Array;
  let proof: Uint8Array[];
  try {
    recordBytes = fromBase64(record.record);
    statementBytes = fromBase64(record.statement);
    proof = record.inclusion_proof.map((p) => fromBase64(p));
  } catch (err) {
    return fail('format', `malformed base64: ${(err as Error).message}`);
  }
  pass('format', record.format);

  const contentHash = createHash('sha256').update(recordBytes).digest('hex');
  let statement: Statement;
  try {
    statement = decodeStatement(statementBytes);
  } catch (err) {
    return fail('statement', `statement is not valid JSON: ${(err as Error).message}`);
  }
  if (contentHash !== statement.content_hash || contentHash !== record.content_hash) {
    return fail('content_hash', `record bytes hash to ${contentHash}; statement says ${statement.content_hash}, record says ${record.content_hash}`);
  }
  pass('content_hash', contentHash);

  const mismatches = (
    [
      ['tenant', statement.tenant, record.tenant],
      ['shard', statement.shard, record.shard],
      ['index', statement.index, record.leaf_index],
      ['record_type', statement.record_type, record.record_type],
      ['schema_fingerprint', statement.schema_fingerprint, record.schema_fingerprint],
    ] as const
  ).filter(([, a, b]) => a !== b);
  if (statement.v !== 1 || mismatches.length > 0) {
    return fail('statement', `statement disagrees with the record on ${mismatches.map(([f]) => f).join(', ') || 'version'}`);
  }
  pass('statement', `tenant ${statement.tenant}, ${statement.log} leaf ${statement.index}`);

  const notarizedAt = new Date(statement.notarized_at);
  let checkpoint: Checkpoint;
  try {
    checkpoint = verifyCheckpointAt(record.checkpoint, options.notaryKeys, notarizedAt, options.laterCheckpoint ?? false);
  } catch (err) {
    return fail('checkpoint_signature', (err as Error).message);
  }
  if (checkpoint.origin !== statement.log) return fail('checkpoint_signature', `checkpoint is for log ${checkpoint.origin}, the statement for ${statement.log}`);
  pass('checkpoint_signature', `${checkpoint.origin} size ${checkpoint.size}`);

  if (!verifyInclusionByHash(leafHash(statementBytes), statement.index, checkpoint.size, proof, checkpoint.rootHash)) {
    return fail('inclusion', `leaf ${statement.index} is not included in the checkpoint of size ${checkpoint.size} by this proof`);
  }
  pass('inclusion', `leaf ${statement.index} of ${checkpoint.size}`);

  const emitter = checkEmitter(record, statement, recordBytes, Buffer.from(contentHash, 'hex'), notarizedAt, options.emitterKeys);
  checks.push(emitter);
  if (!emitter.ok) return { valid: false, checks, statement, checkpoint };

  if (record.notary_envelope !== null) {
    try {
      const verified = verifyEnvelope(record.notary_envelope, options.notaryKeys, { at: notarizedAt });
      if (Buffer.compare(Buffer.from(verified.payload), Buffer.from(statementBytes)) !== 0) throw new Error('envelope payload is not the statement');
      pass('notary_envelope', `signed by ${verified.keyIds.join(', ')}`);
    } catch (err) {
      checks.push({ name: 'notary_envelope', ok: false, detail: (err as Error).message });
      return { valid: false, checks, statement, checkpoint };
    }
  }

  if (options.decodeRecord) {
    try {
      options.decodeRecord(recordBytes);
      pass('record_decodes', 'record decodes with its writer schema');
    } catch (err) {
      checks.push({ name: 'record_decodes', ok: false, detail: (err as Error).message });
      return { valid: false, checks, statement, checkpoint };
    }
  }
  return { valid: true, checks, statement, checkpoint };
}

function checkEmitter(record: SignedRecord, statement: Statement, recordBytes: Uint8Array, contentHash: Uint8Array, at: Date, emitterKeys: readonly TrustedKey[] | undefined): VerificationCheck {
  const name = 'emitter_signature';
  if (record.emitter_envelope === null) {
    if (record.emitter_batch_proof !== undefined) return { name, ok: false, detail: 'an emitter batch proof without the emitter envelope' };
    return statement.emitter_signatures_sha256 === null
      ? { name, ok: true, detail: 'unsigned by the emitter' }
      : { name, ok: false, detail: 'the statement records emitter signatures but the envelope is missing' };
  }
  const envelope = record.emitter_envelope;
  const isBatch = envelope.payloadType === EMITTER_BATCH_PAYLOAD_TYPE;
  const binding = isBatch ? emitterBatchEnvelopeSha256(envelope.payload, envelope.signatures) : emitterSignaturesSha256(envelope.signatures);
  if (binding !== statement.emitter_signatures_sha256) return { name, ok: false, detail: 'the emitter envelope differs from the one the notary verified' };
  if (isBatch) {
    const problem = emitterBatchProblem(record, contentHash);
    if (problem !== null) return { name, ok: false, detail: problem };
  } else if (envelope.payloadType !== EMITTER_PAYLOAD_TYPE || envelope.payload !== Buffer.from(recordBytes).toString('base64') || record.emitter_batch_proof !== undefined) {
    return { name, ok: false, detail: 'emitter envelope does not carry this record' };
  }
  if (!emitterKeys) return { name, ok: true, detail: `bound to the statement (key ids ${statement.emitter_key_ids.join(', ')}); pass emitter keys to check the signatures themselves` };
  try {
    const verified = verifyEnvelope(envelope, emitterKeys, { at });
    return { name, ok: true, detail: `signed by ${verified.keyIds.join(', ')}` };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message };
  }
}

/** Why a batch envelope does not vouch for this record (its statement, tenant and proof), or null when it does. */
function emitterBatchProblem(record: SignedRecord, contentHash: Uint8Array): string | null {
  if (record.emitter_batch_proof === undefined) return 'emitter batch envelope without the record\'s inclusion proof';
  let statement: ReturnType<typeof decodeEmitterBatchStatement>;
  try {
    statement = decodeEmitterBatchStatement(fromBase64(record.emitter_envelope!.payload));
  } catch (err) {
    return (err as Error).message;
  }
  if (statement.tenant !== record.tenant) return `emitter batch is signed for tenant ${statement.tenant}, the record is ${record.tenant}'s`;
  const { index, proof } = record.emitter_batch_proof;
  if (!emitterBatchIncludes(statement, contentHash, index, proof)) return `record is not leaf ${index} of the emitter batch of ${statement.size} by this proof`;
  return null;
}

/**
 * Checkpoints already verified with a given keys array (by identity): many
 * records share one checkpoint, and checking its signatures costs more than
 * the rest of a record's verification. Only successes are kept; a full
 * cache starts over.
 */
const VERIFIED_CHECKPOINTS = new WeakMap<object, Map<string, Checkpoint>>();
const VERIFIED_CHECKPOINTS_MAX = 4096;

/**
 * Verify the checkpoint with the notary's keys as the log's keys, requiring a
 * signature by one whose validity window contains the notarization time: a
 * retired key cannot vouch for leaves notarized after its retirement, and a
 * note signed by any other key (a witness) is refused.
 */
function verifyCheckpointAt(signedNote: string, notaryKeys: readonly (TrustedKey & { name: string })[], at: Date, later: boolean): Checkpoint {
  const mayHaveSigned = later ? (k: TrustedKey) => k.notAfter === undefined || k.notAfter.getTime() >= at.getTime() : (k: TrustedKey) => isKeyValidAt(k, at);
  // The answer depends on the note and on which keys may have signed it: remembered per keys array.
  const cacheKey = `${notaryKeys.filter(mayHaveSigned).map((k) => k.keyId).join(',')}\n${signedNote}`;
  let cache = VERIFIED_CHECKPOINTS.get(notaryKeys);
  const hit = cache?.get(cacheKey);
  if (hit) return hit;
  const checkpoint = verifyCheckpointOnce(signedNote, notaryKeys, at, mayHaveSigned, later);
  if (!cache || cache.size >= VERIFIED_CHECKPOINTS_MAX) {
    cache = new Map();
    VERIFIED_CHECKPOINTS.set(notaryKeys, cache);
  }
  cache.set(cacheKey, checkpoint);
  return checkpoint;
}

function verifyCheckpointOnce(
  signedNote: string,
  notaryKeys: readonly (TrustedKey & { name: string })[],
  at: Date,
  mayHaveSigned: (k: TrustedKey) => boolean,
  later: boolean,
): Checkpoint {
  const verifier = (k: TrustedKey & { name: string }) => ({ name: k.name, keyHash: noteKeyHash(k.name, k.publicKey), publicKeyRaw: k.publicKey });
  const valid = notaryKeys.filter(mayHaveSigned);
  const when = later ? `at or after ${at.toISOString()}` : `at ${at.toISOString()}`;
  if (valid.length === 0) throw new Error(`no notary key is valid ${when}`);
  try {
    const checkpoint = verifyCheckpoint(signedNote, { log: valid.map(verifier), others: notaryKeys.filter((k) => !mayHaveSigned(k)).map(verifier) });
    // Go's note parser ignores unused trailing bits of a signature's base64; the notary never writes them,
    // so in a bundle they are a change to the checkpoint's bytes and refused.
    const loose = parseNote(signedNote).signatures.find((sig) => Buffer.from(sig.base64, 'base64').toString('base64') !== sig.base64);
    if (loose) throw new Error(`the checkpoint's signature by ${loose.name} is not canonical base64`);
    return checkpoint;
  } catch (err) {
    if (err instanceof CryptoError && err.code === 'NOTE_UNVERIFIED') throw new Error(`the checkpoint is not signed by a notary key valid ${when} (${err.message})`);
    throw err;
  }
}

const BUNDLE_FIELDS: Record<Exclude<keyof SignedRecord, keyof typeof OPTIONAL_FIELDS>, (v: unknown) => boolean> = {
  format: (v) => v === 'probity.signed-record/v1',
  tenant: (v) => typeof v === 'string',
  content_hash: (v) => typeof v === 'string',
  record_type: (v) => typeof v === 'string',
  schema_fingerprint: (v) => typeof v === 'string',
  shard: (v) => Number.isSafeInteger(v),
  leaf_index: (v) => Number.isSafeInteger(v),
  record: (v) => typeof v === 'string',
  statement: (v) => typeof v === 'string',
  emitter_envelope: (v) => v === null || isEnvelopeLike(v),
  notary_envelope: (v) => v === null || isEnvelopeLike(v),
  checkpoint: (v) => typeof v === 'string',
  inclusion_proof: (v) => Array.isArray(v) && v.every((p) => typeof p === 'string'),
};

/** Fields a bundle may omit (written only when they apply). */
const OPTIONAL_FIELDS: Record<'emitter_batch_proof', (v: unknown) => boolean> = {
  emitter_batch_proof: (v) => {
    const p = v as Record<string, unknown>;
    if (typeof p !== 'object' || p === null || Array.isArray(p) || Object.keys(p).some((k) => k !== 'index' && k !== 'proof')) return false;
    return Number.isSafeInteger(p.index) && Array.isArray(p.proof) && p.proof.every((h) => typeof h === 'string');
  },
};

function isEnvelopeLike(v: unknown): boolean {
  const e = v as Record<string, unknown>;
  return typeof e === 'object' && e !== null && typeof e.payload === 'string' && typeof e.payloadType === 'string' && Array.isArray(e.signatures);
}

/** Exactly the bundle's fields with the right types: an unknown or renamed field is itself a sign of tampering. */
function describeShapeProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not a JSON object';
  const fields = Object.keys(record);
  const unknown = fields.filter((f) => !(f in BUNDLE_FIELDS) && !(f in OPTIONAL_FIELDS));
  if (unknown.length > 0) return `unexpected field(s) ${unknown.join(', ')}`;
  for (const [field, ok] of Object.entries(BUNDLE_FIELDS)) {
    if (!(field in record)) return `missing field ${field}`;
    if (!ok((record as Record<string, unknown>)[field])) return `field ${field} has the wrong type or value`;
  }
  for (const [field, ok] of Object.entries(OPTIONAL_FIELDS)) {
    if (field in record && !ok((record as Record<string, unknown>)[field])) return `field ${field} has the wrong type or value`;
  }
  return null;
}
