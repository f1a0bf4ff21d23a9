import { fromBase64, leafHash, parseCheckpoint, proveAppendedLeaves, toBase64, type Envelope, type EnvelopeSignature } from '@probity/crypto';
import { EvidenceError } from './errors.js';
import { EMITTER_PAYLOAD_TYPE } from './payload-types.js';
import { SIGNED_RECORD_FORMAT, type SignedRecordMessage } from './signed-record.js';
import { decodeStatement, type Statement } from './statement.js';

export const SIGNED_BATCH_FORMAT = 'probity.signed-batch/v1' as const;

/** One notarized record inside a signed batch: what it needs beyond what the batch shares. */
export interface SignedBatchEntry {
  tenant: string;
  content_hash: string;
  record_type: string;
  schema_version: number;
  schema_fingerprint: string;
  /** Avro single-object bytes, base64. */
  record: string;
  /** The log leaf bytes (statement JSON), base64. */
  statement: string;
  /** The emitter's DSSE signatures over the record, as received; null when unsigned. The envelope's payload is `record`. */
  emitter_signatures: EnvelopeSignature[] | null;
  notary_envelope: Envelope | null;
  store: { pack: string; offset: number; length: number };
  /** Offset of the raw message it came from (same partition number as the shard). */
  source_offset: string;
}

/**
 * One message on `probity.evidence.signed`: a run of consecutive leaves of one
 * shard with the signed checkpoint of the tree that ends with them, and the
 * compact range of the tree before them. Every record's inclusion proof is
 * derived from that (see `proveAppendedLeaves`), and the derived root must be
 * the checkpoint's: one signature and one message authenticate the whole run,
 * instead of a message, a copy of the checkpoint and a proof per record.
 */
export interface SignedBatch {
  format: typeof SIGNED_BATCH_FORMAT;
  /** Log origin of the shard, `<origin>/shard/<n>`. */
  log: string;
  shard: number;
  first_index: number;
  /** Base64 hashes of the perfect subtrees covering leaves [0, first_index), left to right. */
  compact_range: string[];
  /** C2SP signed note of the shard's checkpoint at size first_index + records.length. */
  checkpoint: string;
  source_topic: string;
  records: SignedBatchEntry[];
}

/**
 * The batch as UTF-8 JSON, from records already serialized one by one (the
 * notary sizes its Kafka messages by them). `records` is the last field.
 * Bytes, not a string: Kafka would otherwise measure and encode a message of
 * up to 768 KB again on every produce.
 */
export function encodeSignedBatch(head: Omit<SignedBatch, 'format' | 'records'>, recordJson: readonly string[]): Buffer {
  const prefix = JSON.stringify({ format: SIGNED_BATCH_FORMAT, log: head.log, shard: head.shard, first_index: head.first_index, compact_range: head.compact_range, checkpoint: head.checkpoint, source_topic: head.source_topic });
  return Buffer.from(`${prefix.slice(0, -1)},"records":[${recordJson.join(',')}]}`, 'utf8');
}

function malformed(detail: string): EvidenceError {
  return new EvidenceError('SIGNED_BATCH_MALFORMED', `signed batch: ${detail}`);
}

const isNonNegativeInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Parses and shape-checks a signed-topic message. */
export function parseSignedBatch(value: Buffer | string | null): SignedBatch {
  if (value === null) throw malformed('empty message');
  let batch: SignedBatch;
  try {
    batch = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as SignedBatch;
  } catch (err) {
    throw malformed(`not JSON: ${(err as Error).message}`);
  }
  if (typeof batch !== 'object' || batch === null || batch.format !== SIGNED_BATCH_FORMAT) throw malformed(`unexpected format ${JSON.stringify((batch as { format?: unknown } | null)?.format)}`);
  if (!isNonNegativeInteger(batch.shard) || !isNonNegativeInteger(batch.first_index)) throw malformed('shard and first_index must be non-negative integers');
  if (typeof batch.log !== 'string' || typeof batch.checkpoint !== 'string' || typeof batch.source_topic !== 'string') throw malformed('log, checkpoint and source_topic must be strings');
  if (!Array.isArray(batch.compact_range) || !batch.compact_range.every((h) => typeof h === 'string')) throw malformed('compact_range must be an array of base64 hashes');
  if (!Array.isArray(batch.records) || batch.records.length === 0) throw malformed('records must be a non-empty array');
  batch.records.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || typeof r.record !== 'string' || typeof r.statement !== 'string' || typeof r.tenant !== 'string' || typeof r.content_hash !== 'string') {
      throw malformed(`records[${i}] lacks record, statement, tenant or content_hash`);
    }
  });
  return batch;
}

/**
 * The batch as the per-record messages the rest of Probity works with (each a
 * complete evidence bundle plus operational fields), after checking that its
 * leaves hash to the checkpoint's root and that every record agrees with its
 * statement. Does not verify the checkpoint signature: verifiers do, with the
 * notary's public keys (`verifySignedRecord`).
 */
export function expandSignedBatch(batch: SignedBatch): SignedRecordMessage[] {
  return expandSignedBatchEntries(batch).map((entry) => entry.record);
}

/** `expandSignedBatch`, with each record's decoded statement (which the expansion checks anyway). */
export function expandSignedBatchEntries(batch: SignedBatch): { record: SignedRecordMessage; statement: Statement }[] {
  const inconsistent = (detail: string) => new EvidenceError('SIGNED_BATCH_INCONSISTENT', `signed batch of shard ${batch.shard} at ${batch.first_index}: ${detail}`);
  let statements: Buffer[];
  let checkpoint: ReturnType<typeof parseCheckpoint>;
  let proofs: Uint8Array[][];
  try {
    statements = batch.records.map((r) => Buffer.from(fromBase64(r.statement)));
    checkpoint = parseCheckpoint(batch.checkpoint.slice(0, batch.checkpoint.indexOf('\n\n') + 1));
    const proved = proveAppendedLeaves(batch.first_index, batch.compact_range.map((h) => fromBase64(h)), statements.map((s) => leafHash(s)));
    if (checkpoint.size !== batch.first_index + batch.records.length) throw inconsistent(`checkpoint size ${checkpoint.size} is not ${batch.first_index} + ${batch.records.length} records`);
    if (!Buffer.from(proved.root).equals(Buffer.from(checkpoint.rootHash))) throw inconsistent("the leaves and compact range do not hash to the checkpoint's root");
    proofs = proved.proofs;
  } catch (err) {
    if (err instanceof EvidenceError) throw err;
    throw malformed((err as Error).message);
  }
  return batch.records.map((entry, i) => {
    const index = batch.first_index + i;
    const statement = decodeStatement(statements[i]!);
    if (statement.index !== index || statement.shard !== batch.shard || statement.tenant !== entry.tenant || statement.content_hash !== entry.content_hash) {
      throw inconsistent(`records[${i}] disagrees with its statement (index, shard, tenant or content hash)`);
    }
    const record: SignedRecordMessage = {
      format: SIGNED_RECORD_FORMAT,
      tenant: entry.tenant,
      content_hash: entry.content_hash,
      record_type: entry.record_type,
      schema_version: entry.schema_version,
      schema_fingerprint: entry.schema_fingerprint,
      shard: batch.shard,
      leaf_index: index,
      record: entry.record,
      statement: entry.statement,
      emitter_envelope: entry.emitter_signatures === null ? null : { payload: entry.record, payloadType: EMITTER_PAYLOAD_TYPE, signatures: entry.emitter_signatures },
      notary_envelope: entry.notary_envelope,
      checkpoint: batch.checkpoint,
      inclusion_proof: proofs[i]!.map((h) => toBase64(h)),
      store: entry.store,
      source: { topic: batch.source_topic, partition: batch.shard, offset: entry.source_offset },
    };
    return { record, statement };
  });
}
