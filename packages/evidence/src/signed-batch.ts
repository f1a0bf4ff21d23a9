import { bytesEqual, parseSignedCheckpoint, fromBase64, leafHash, proveAppendedLeaves, toBase64, type Envelope, type EnvelopeSignature } from '@probity/crypto';
import { avroBinaryCodec } from '@probity/schema';
import { EvidenceError } from './errors.js';
import { EMITTER_BATCH_PAYLOAD_TYPE, EMITTER_PAYLOAD_TYPE } from './payload-types.js';
import { SIGNED_RECORD_FORMAT, type SignedRecordMessage } from './signed-record.js';
import { decodeStatement, type Statement } from './statement.js';

export const SIGNED_BATCH_FORMAT = 'probity.signed-batch/v3' as const;
/** The JSON layout written before v2; still read (as is v2), so a topic written by an earlier build stays usable. */
const JSON_BATCH_FORMAT = 'probity.signed-batch/v1';

/** One notarized record inside a signed batch: what it needs beyond what the batch shares. */
export interface SignedBatchEntry {
  tenant: string;
  content_hash: string;
  record_type: string;
  schema_version: number;
  schema_fingerprint: string;
  /** Avro single-object bytes. */
  record: Buffer;
  /** The log leaf bytes (statement JSON). */
  statement: Buffer;
  /**
   * The emitter's DSSE signatures, as the notary verified them (canonical form); null when unsigned.
   * The envelope's payload is `record`, or with `emitter_batch` the batch statement.
   */
  emitter_signatures: EnvelopeSignature[] | null;
  /** When the emitter signed a batch of records (see EmitterBatchStatement): its statement and this record's proof. */
  emitter_batch: { payload: string; index: number; proof: string[] } | null;
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
  /** Hashes of the perfect subtrees covering leaves [0, first_index), left to right. */
  compact_range: Uint8Array[];
  /** C2SP signed note of the shard's checkpoint at size first_index + records.length. */
  checkpoint: string;
  source_topic: string;
  records: SignedBatchEntry[];
}

/**
 * On the wire: the 4 bytes `PSB` and the layout version, then the batch in
 * Avro binary. Binary, not JSON: record and statement bytes travel as they
 * are, without base64, and building a batch was ~19% of the notary's CPU as
 * JSON (bench/ingest drain profile). v3 adds emitter batch signatures: the
 * batch lists each distinct emitter envelope (statement and signatures) once,
 * and an entry names it by position with its own leaf index and proof. v2 is
 * still read, its entries without any.
 */
const MAGIC_V2 = Buffer.from([0x50, 0x53, 0x42, 0x02]);
const MAGIC = Buffer.from([0x50, 0x53, 0x42, 0x03]);

const SIGNATURE = { type: 'record', name: 'Signature', fields: [{ name: 'keyid', type: 'string' }, { name: 'sig', type: 'string' }] };
const ENTRY_FIELDS_V2 = [
  { name: 'tenant', type: 'string' },
  { name: 'content_hash', type: 'string' },
  { name: 'record_type', type: 'string' },
  { name: 'schema_version', type: 'int' },
  { name: 'schema_fingerprint', type: 'string' },
  { name: 'record', type: 'bytes' },
  { name: 'statement', type: 'bytes' },
  { name: 'emitter_signatures', type: ['null', { type: 'array', items: SIGNATURE }] },
  { name: 'notary_envelope', type: ['null', { type: 'record', name: 'Envelope', fields: [{ name: 'payload', type: 'string' }, { name: 'payloadType', type: 'string' }, { name: 'signatures', type: { type: 'array', items: 'Signature' } }] }] },
  { name: 'store', type: { type: 'record', name: 'StoredLocation', fields: [{ name: 'pack', type: 'string' }, { name: 'offset', type: 'long' }, { name: 'length', type: 'long' }] } },
  { name: 'source_offset', type: 'string' },
];
const EMITTER_BATCH_FIELD = {
  name: 'emitter_batch',
  // proof: the proof's base64 hashes (44 characters each) joined: one string to write instead of ~7.
  type: ['null', { type: 'record', name: 'EmitterBatchRef', fields: [{ name: 'envelope', type: 'int' }, { name: 'index', type: 'long' }, { name: 'proof', type: 'string' }] }],
};
const EMITTER_ENVELOPES_FIELD = {
  name: 'emitter_envelopes',
  type: { type: 'array', items: { type: 'record', name: 'EmitterBatchEnvelope', fields: [{ name: 'payload', type: 'string' }, { name: 'signatures', type: { type: 'array', items: 'Signature' } }] } },
};

/** An entry as v3 writes it: a batch-signed record names its emitter envelope instead of repeating it. */
type WireEntry = Omit<SignedBatchEntry, 'emitter_batch'> & { emitter_batch: { envelope: number; index: number; proof: string } | null };
const PROOF_HASH_CHARS = 44;
interface WireBatch extends Omit<SignedBatch, 'format' | 'records'> {
  records: WireEntry[];
  emitter_envelopes?: { payload: string; signatures: EnvelopeSignature[] }[];
}

const batchCodec = (entryFields: readonly object[], batchFields: readonly object[] = []) =>
  avroBinaryCodec<WireBatch>({
    type: 'record',
    name: 'SignedBatch',
    namespace: 'io.probity.transport',
    fields: [
      { name: 'log', type: 'string' },
      { name: 'shard', type: 'long' },
      { name: 'first_index', type: 'long' },
      { name: 'compact_range', type: { type: 'array', items: 'bytes' } },
      { name: 'checkpoint', type: 'string' },
      { name: 'source_topic', type: 'string' },
      { name: 'records', type: { type: 'array', items: { type: 'record', name: 'SignedBatchEntry', fields: entryFields } } },
      ...batchFields,
    ],
  });
const codec = batchCodec([...ENTRY_FIELDS_V2, EMITTER_BATCH_FIELD], [EMITTER_ENVELOPES_FIELD]);
const codecV2 = batchCodec(ENTRY_FIELDS_V2);

/** The batch as one Kafka message value. */
export function encodeSignedBatch(head: Omit<SignedBatch, 'format' | 'records'>, records: readonly SignedBatchEntry[]): Buffer {
  const envelopes: NonNullable<WireBatch['emitter_envelopes']> = [];
  const envelopeIndex = new Map<string, number>();
  const wireRecords = records.map((entry): WireEntry => {
    if (!entry.emitter_batch) return entry as WireEntry;
    const signatures = entry.emitter_signatures;
    if (signatures === null) throw malformed('an entry with an emitter batch proof but no emitter signatures');
    // JSON, not a joined string: key ids are any text, and two different lists must never share an envelope.
    const key = `${entry.emitter_batch.payload}\n${signaturesJson(signatures)}`;
    let envelope = envelopeIndex.get(key);
    if (envelope === undefined) {
      envelope = envelopes.push({ payload: entry.emitter_batch.payload, signatures }) - 1;
      envelopeIndex.set(key, envelope);
    }
    const { proof } = entry.emitter_batch;
    if (!proof.every((h) => h.length === PROOF_HASH_CHARS)) throw malformed(`an emitter batch proof hash is not ${PROOF_HASH_CHARS} base64 characters`);
    return { ...entry, emitter_signatures: null, emitter_batch: { envelope, index: entry.emitter_batch.index, proof: proof.join('') } };
  });
  const body = codec.encode({
    log: head.log,
    shard: head.shard,
    first_index: head.first_index,
    compact_range: head.compact_range.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength)),
    checkpoint: head.checkpoint,
    source_topic: head.source_topic,
    records: wireRecords,
    emitter_envelopes: envelopes,
  });
  return Buffer.concat([MAGIC, body]);
}

// Records of one emitter batch share one signatures array (the notary's verified copy): stringify it once.
const signaturesJsonMemo = new WeakMap<readonly EnvelopeSignature[], string>();
function signaturesJson(signatures: readonly EnvelopeSignature[]): string {
  let json = signaturesJsonMemo.get(signatures);
  if (json === undefined) signaturesJsonMemo.set(signatures, (json = JSON.stringify(signatures)));
  return json;
}

/** Entries as they were before encoding: each batch-signed one with its emitter envelope's payload and signatures. */
function fromWire(batch: WireBatch): Omit<SignedBatch, 'format'> {
  const envelopes = batch.emitter_envelopes ?? [];
  const records = batch.records.map((entry, i): SignedBatchEntry => {
    if (!entry.emitter_batch) {
      // v2 entries have no such field: absent means none.
      (entry as SignedBatchEntry).emitter_batch = null;
      return entry as SignedBatchEntry;
    }
    const envelope = envelopes[entry.emitter_batch.envelope];
    if (envelope === undefined || entry.emitter_signatures !== null) throw malformed(`records[${i}] names emitter envelope ${entry.emitter_batch.envelope} of ${envelopes.length}, or has signatures of its own too`);
    const joined = entry.emitter_batch.proof;
    if (joined.length % PROOF_HASH_CHARS !== 0) throw malformed(`records[${i}] has an emitter batch proof of ${joined.length} characters, not a multiple of ${PROOF_HASH_CHARS}`);
    const proof = Array.from({ length: joined.length / PROOF_HASH_CHARS }, (_, k) => joined.slice(k * PROOF_HASH_CHARS, (k + 1) * PROOF_HASH_CHARS));
    return { ...entry, emitter_signatures: envelope.signatures, emitter_batch: { payload: envelope.payload, index: entry.emitter_batch.index, proof } };
  });
  return { log: batch.log, shard: batch.shard, first_index: batch.first_index, compact_range: batch.compact_range, checkpoint: batch.checkpoint, source_topic: batch.source_topic, records };
}

/** An upper bound of an entry's encoded size, for splitting batches under Kafka's message limit. */
export function signedBatchEntrySize(entry: SignedBatchEntry): number {
  const signatures = (list: readonly EnvelopeSignature[] | null | undefined) => (list ?? []).reduce((sum, s) => sum + 20 + Buffer.byteLength(s.keyid) + s.sig.length, 0);
  const envelope = entry.notary_envelope ? 40 + entry.notary_envelope.payload.length + Buffer.byteLength(entry.notary_envelope.payloadType) + signatures(entry.notary_envelope.signatures) : 0;
  const strings = [entry.tenant, entry.content_hash, entry.record_type, entry.schema_fingerprint, entry.store.pack, entry.source_offset].reduce((sum, text) => sum + 10 + Buffer.byteLength(text), 0);
  const batch = entry.emitter_batch ? 20 + entry.emitter_batch.payload.length + entry.emitter_batch.proof.reduce((sum, h) => sum + 2 + h.length, 0) : 0;
  return 64 + strings + entry.record.length + entry.statement.length + signatures(entry.emitter_signatures) + envelope + batch;
}

function malformed(detail: string): EvidenceError {
  return new EvidenceError('SIGNED_BATCH_MALFORMED', `signed batch: ${detail}`);
}

const isNonNegativeInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Parses and shape-checks a signed-topic message. */
export function parseSignedBatch(value: Buffer | string | null): SignedBatch {
  if (value === null) throw malformed('empty message');
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  let batch: Omit<SignedBatch, 'format'>;
  const layout = bytes.subarray(0, MAGIC.length).equals(MAGIC) ? codec : bytes.subarray(0, MAGIC_V2.length).equals(MAGIC_V2) ? codecV2 : null;
  if (layout !== null) {
    let wire: WireBatch;
    try {
      wire = layout.decode(bytes.subarray(MAGIC.length));
    } catch (err) {
      throw malformed(`not a signed batch body (layout ${bytes[3]}): ${(err as Error).message}`);
    }
    batch = fromWire(wire);
  } else if (bytes[0] === 0x7b) {
    batch = parseJsonBatch(bytes);
  } else {
    throw malformed(`unknown layout (first bytes ${bytes.subarray(0, 4).toString('hex')}); expected ${SIGNED_BATCH_FORMAT}`);
  }
  if (!isNonNegativeInteger(batch.shard) || !isNonNegativeInteger(batch.first_index)) throw malformed('shard and first_index must be non-negative integers');
  if (batch.records.length === 0) throw malformed('records must be a non-empty array');
  return { format: SIGNED_BATCH_FORMAT, ...batch };
}

interface JsonBatch extends Omit<SignedBatch, 'format' | 'compact_range' | 'records'> {
  format: string;
  compact_range: string[];
  records: (Omit<SignedBatchEntry, 'record' | 'statement'> & { record: string; statement: string })[];
}

function parseJsonBatch(bytes: Buffer): Omit<SignedBatch, 'format'> {
  let batch: JsonBatch;
  try {
    batch = JSON.parse(bytes.toString('utf8')) as JsonBatch;
  } catch (err) {
    throw malformed(`not JSON: ${(err as Error).message}`);
  }
  if (typeof batch !== 'object' || batch === null || batch.format !== JSON_BATCH_FORMAT) throw malformed(`unexpected format ${JSON.stringify((batch as { format?: unknown } | null)?.format)}`);
  if (typeof batch.log !== 'string' || typeof batch.checkpoint !== 'string' || typeof batch.source_topic !== 'string') throw malformed('log, checkpoint and source_topic must be strings');
  if (!Array.isArray(batch.compact_range) || !batch.compact_range.every((h) => typeof h === 'string')) throw malformed('compact_range must be an array of base64 hashes');
  if (!Array.isArray(batch.records)) throw malformed('records must be an array');
  const records = batch.records.map((r, i) => {
    if (typeof r !== 'object' || r === null || typeof r.record !== 'string' || typeof r.statement !== 'string' || typeof r.tenant !== 'string' || typeof r.content_hash !== 'string') {
      throw malformed(`records[${i}] lacks record, statement, tenant or content_hash`);
    }
    return { ...r, record: Buffer.from(fromBase64(r.record)), statement: Buffer.from(fromBase64(r.statement)), emitter_batch: null };
  });
  return { log: batch.log, shard: batch.shard, first_index: batch.first_index, compact_range: batch.compact_range.map((h) => fromBase64(h)), checkpoint: batch.checkpoint, source_topic: batch.source_topic, records };
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
export function expandSignedBatchEntries(batch: SignedBatch): { record: SignedRecordMessage; statement: Statement; recordBytes: Buffer }[] {
  const inconsistent = (detail: string) => new EvidenceError('SIGNED_BATCH_INCONSISTENT', `signed batch of shard ${batch.shard} at ${batch.first_index}: ${detail}`);
  const statements = batch.records.map((r) => r.statement);
  let checkpoint: ReturnType<typeof parseSignedCheckpoint>;
  let proofs: Uint8Array[][];
  try {
    checkpoint = parseSignedCheckpoint(batch.checkpoint);
    const proved = proveAppendedLeaves(batch.first_index, batch.compact_range, statements.map((s) => leafHash(s)));
    if (checkpoint.size !== batch.first_index + batch.records.length) throw inconsistent(`checkpoint size ${checkpoint.size} is not ${batch.first_index} + ${batch.records.length} records`);
    if (!bytesEqual(proved.root, checkpoint.rootHash)) throw inconsistent("the leaves and compact range do not hash to the checkpoint's root");
    proofs = proved.proofs;
  } catch (err) {
    if (err instanceof EvidenceError) throw err;
    throw malformed((err as Error).message);
  }
  return batch.records.map((entry, i) => {
    const index = batch.first_index + i;
    if (entry.emitter_batch && entry.emitter_signatures === null) throw inconsistent(`records[${i}] has an emitter batch proof without its signatures`);
    const statement = decodeStatement(statements[i]!);
    if (statement.index !== index || statement.shard !== batch.shard || statement.tenant !== entry.tenant || statement.content_hash !== entry.content_hash) {
      throw inconsistent(`records[${i}] disagrees with its statement (index, shard, tenant or content hash)`);
    }
    const recordBase64 = toBase64(entry.record);
    const record: SignedRecordMessage = {
      format: SIGNED_RECORD_FORMAT,
      tenant: entry.tenant,
      content_hash: entry.content_hash,
      record_type: entry.record_type,
      schema_version: entry.schema_version,
      schema_fingerprint: entry.schema_fingerprint,
      shard: batch.shard,
      leaf_index: index,
      record: recordBase64,
      statement: toBase64(entry.statement),
      emitter_envelope: emitterEnvelope(entry, recordBase64),
      ...(entry.emitter_batch ? { emitter_batch_proof: { index: entry.emitter_batch.index, proof: entry.emitter_batch.proof } } : {}),
      notary_envelope: entry.notary_envelope,
      checkpoint: batch.checkpoint,
      inclusion_proof: proofs[i]!.map((h) => toBase64(h)),
      store: entry.store,
      source: { topic: batch.source_topic, partition: batch.shard, offset: entry.source_offset },
    };
    return { record, statement, recordBytes: entry.record };
  });
}

/** The emitter's envelope as a bundle carries it: over the record itself, or over the batch statement. */
function emitterEnvelope(entry: SignedBatchEntry, recordBase64: string): Envelope | null {
  if (entry.emitter_signatures === null) return null;
  return entry.emitter_batch
    ? { payload: entry.emitter_batch.payload, payloadType: EMITTER_BATCH_PAYLOAD_TYPE, signatures: entry.emitter_signatures }
    : { payload: recordBase64, payloadType: EMITTER_PAYLOAD_TYPE, signatures: entry.emitter_signatures };
}
