import { createHash } from 'node:crypto';
import { leafHash, signCheckpoint, signEnvelope, type EnvelopeSignature, type SigningKey } from '@probity/crypto';
import {
  decodeRawPack,
  emitterBatchEnvelopeSha256,
  emitterSignaturesSha256,
  encodeSignedBatch,
  encodeStatement,
  isRawPack,
  signedBatchEntrySize,
  STATEMENT_PAYLOAD_TYPE,
  type SignedBatchEntry,
} from '@probity/evidence';
import type { EvidenceStore } from '@probity/evidence-store';
import { HEADER, headerString, type IHeaders, type KafkaMessage, type Message } from '@probity/kafka';
import { chunksByBytes } from './chunks.js';
import { inspectMessage, type InspectContext, type RawMessage } from './inspect.js';
import type { Inspector } from './inspect-pool.js';
import type { AcceptedRecord, DlqReason } from './outcome.js';
import type { ShardLog } from './shard-log.js';

export interface BatchInput {
  shard: number;
  topic: string;
  messages: readonly KafkaMessage[];
}

export interface BatchDeps {
  log: ShardLog;
  /** Log origin of this shard, e.g. `probity.local/log/shard/0`. */
  origin: string;
  store: EvidenceStore;
  signer: SigningKey;
  signRecords: boolean;
  inspect: Omit<InspectContext, 'now'>;
  /** Inspects on other threads when given; otherwise inline with `inspect`. */
  inspector?: Inspector;
  now: () => Date;
}

export interface BatchPlan {
  /** Signed batches (see SignedBatch): each a run of consecutive leaves with its own checkpoint. */
  signed: Message[];
  dlq: Message[];
  /**
   * Resolves when the evidence store holds the accepted records durably; the
   * transaction that publishes them must not commit before (rejects with
   * STORE_WRITE_FAILED: abort and retry the batch).
   */
  stored: Promise<void>;
  /** Offset to commit: one past the last message of the batch. */
  nextOffset: string;
  treeSize: number;
  rootHash: Uint8Array;
  counts: { accepted: number; duplicates: number; dlq: Partial<Record<DlqReason, number>> };
}

/**
 * Turn one chunk of raw messages into its effects: leaves appended to the
 * shard's log, a pack in the evidence store (durable once `stored` resolves),
 * signed batches for the signed topic (a checkpoint per Kafka message,
 * usually one message per transaction) and DLQ messages. Publishing and the
 * offset commit happen in the caller's Kafka transaction, committed only
 * after `stored`; if that fails the caller truncates the log back.
 */
export async function notarizeBatch(input: BatchInput, deps: BatchDeps): Promise<BatchPlan> {
  const now = deps.now();
  const context: InspectContext = { ...deps.inspect, now };
  const accepted: { record: AcceptedRecord; message: KafkaMessage; signaturesHash: string | null }[] = [];
  const dlq: Message[] = [];
  const counts: BatchPlan['counts'] = { accepted: 0, duplicates: 0, dlq: {} };
  const seenInBatch = new Set<string>();

  const arrivals: Arrival[] = [];
  for (const message of input.messages) {
    if (!isRawPack(message.value)) {
      arrivals.push(arrival(message, message.value, message.headers, null));
      continue;
    }
    try {
      decodeRawPack(message.value!).forEach((entry, packIndex) => arrivals.push(arrival(message, entry.value, entry.headers, packIndex)));
    } catch (err) {
      counts.dlq.PACK_INVALID = (counts.dlq.PACK_INVALID ?? 0) + 1;
      dlq.push(toDlqMessage(input, arrival(message, message.value, message.headers, null), 'PACK_INVALID', (err as Error).message));
    }
  }
  const raw = arrivals.map((a) => a.raw);
  const outcomes = deps.inspector ? await deps.inspector.inspect(raw, now) : raw.map((message) => inspectMessage(message, context));

  for (const [i, outcome] of outcomes.entries()) {
    const arrival = arrivals[i]!;
    const { message } = arrival;
    if (outcome.kind === 'dlq') {
      counts.dlq[outcome.reason] = (counts.dlq[outcome.reason] ?? 0) + 1;
      dlq.push(toDlqMessage(input, arrival, outcome.reason, outcome.detail));
      continue;
    }
    if (outcome.kind === 'duplicate') {
      counts.duplicates += 1;
      continue;
    }
    const { record } = outcome;
    if (seenInBatch.has(record.contentHashHex) || deps.log.hasContent(record.contentHash)) {
      counts.duplicates += 1;
      continue;
    }
    seenInBatch.add(record.contentHashHex);
    const signaturesHash = record.emitterSignatures === null ? null : envelopeBinding(record.emitterSignatures, record.emitterBatch?.payload);
    accepted.push({ record, message, signaturesHash });
  }
  counts.accepted = accepted.length;

  const firstIndex = deps.log.size;
  const notarizedAt = now.toISOString();
  const statements = accepted.map(({ record, signaturesHash }, i) =>
    encodeStatement({
      v: 1,
      tenant: record.tenant,
      content_hash: record.contentHashHex,
      record_type: record.recordType,
      schema_fingerprint: record.schemaFingerprint,
      log: deps.origin,
      shard: input.shard,
      index: firstIndex + i,
      notarized_at: notarizedAt,
      emitter_key_ids: record.emitterKeyIds,
      emitter_signatures_sha256: signaturesHash,
    }),
  );
  const leafHashes = statements.map((s) => leafHash(s));

  let locations: { pack: string; offset: number; length: number }[] = [];
  let stored: Promise<void> = Promise.resolve();
  if (accepted.length > 0) {
    // Same indexes and bytes after a retried batch → same pack name and contents (write-once holds).
    const packName = `shard-${input.shard}-${firstIndex}-${firstIndex + accepted.length - 1}`;
    // The pack's sync runs while the caller sends its (uncommitted) transaction; it awaits `stored` before committing.
    ({ locations, durable: stored } = deps.store.writePack(
      packName,
      accepted.map(({ record }) => ({ contentHash: record.contentHashHex, bytes: record.bytes })),
    ));
    // The local log is not fsynced: it is a cache of the committed log. After a crash,
    // recovery checks it against the committed root and rebuilds it from Kafka if it is short or wrong.
    deps.log.append(accepted.map(({ record }, i) => ({ contentHash: record.contentHash, leafHash: leafHashes[i]! })));
  }

  const treeSize = deps.log.size;
  const rootHash = deps.log.root(treeSize);
  const entries = accepted.map(
    ({ record, message }, i): SignedBatchEntry => ({
      tenant: record.tenant,
      content_hash: record.contentHashHex,
      record_type: record.recordType,
      schema_version: record.schemaVersion,
      schema_fingerprint: record.schemaFingerprint,
      record: record.bytes,
      statement: statements[i]!,
      emitter_signatures: record.emitterSignatures,
      emitter_batch: record.emitterBatch,
      notary_envelope: deps.signRecords ? signEnvelope(statements[i]!, STATEMENT_PAYLOAD_TYPE, deps.signer) : null,
      store: locations[i]!,
      source_offset: message.offset,
    }),
  );

  // Each Kafka message carries a run of leaves with the checkpoint that ends with them, so it stands alone.
  const signed: Message[] = [];
  let runStart = 0;
  for (const run of chunksByBytes(entries, signedBatchEntrySize)) {
    const first = firstIndex + runStart;
    const size = first + run.length;
    const value = encodeSignedBatch(
      {
        log: deps.origin,
        shard: input.shard,
        first_index: first,
        compact_range: deps.log.compactRange(first),
        checkpoint: signCheckpoint({ origin: deps.origin, size, rootHash: size === treeSize ? rootHash : deps.log.root(size) }, deps.signer),
        source_topic: input.topic,
      },
      run,
    );
    signed.push({ key: `${input.shard}:${first}`, value, partition: input.shard, headers: { [HEADER.recordCount]: String(run.length) } });
    runStart += run.length;
  }
  const last = input.messages[input.messages.length - 1];
  const nextOffset = last ? (BigInt(last.offset) + 1n).toString() : '0';
  // The transaction's last batch carries the raw offset committed with it: the shard's state is its checkpoint and this.
  const lastSigned = signed[signed.length - 1];
  if (lastSigned) lastSigned.headers = { ...lastSigned.headers, [HEADER.sourceNextOffset]: nextOffset };

  return {
    signed,
    dlq,
    stored,
    nextOffset,
    treeSize,
    rootHash,
    counts,
  };
}

// Records of one emitter batch share one verified signatures array (see emitter-batch-check): hash it once.
const bindings = new WeakMap<readonly EnvelopeSignature[], { payload: string | undefined; hash: string }>();
/** The statement's emitter_signatures_sha256: of the signatures over the record, or of the whole batch envelope. */
function envelopeBinding(signatures: readonly EnvelopeSignature[], batchPayload: string | undefined): string {
  const known = bindings.get(signatures);
  if (known !== undefined && known.payload === batchPayload) return known.hash;
  const hash = batchPayload === undefined ? emitterSignaturesSha256(signatures) : emitterBatchEnvelopeSha256(batchPayload, signatures);
  bindings.set(signatures, { payload: batchPayload, hash });
  return hash;
}

/** One record to inspect: a raw message of its own, or one entry of a raw pack, with the Kafka message it came in. */
interface Arrival {
  message: KafkaMessage;
  raw: RawMessage;
  /** Position in the raw pack; null for a message of its own (or a pack that could not be read). */
  packIndex: number | null;
  /** The record's own headers: the Kafka message's, or the pack entry's. */
  headers: IHeaders | Record<string, string> | undefined;
}

function arrival(message: KafkaMessage, value: Buffer | null, headers: Arrival['headers'], packIndex: number | null): Arrival {
  const raw: RawMessage = {
    value,
    tenantHeader: headerString(headers, HEADER.tenant),
    emitterSignaturesHeader: headerString(headers, HEADER.emitterSignature),
    emitterBatchHeader: headerString(headers, HEADER.emitterBatch),
  };
  return { message, raw, packIndex, headers };
}

function toDlqMessage(input: BatchInput, { message, raw, packIndex, headers: recordHeaders }: Arrival, reason: DlqReason, detail: string): Message {
  // Null prototype: a header named __proto__ is kept like any other.
  const headers: Record<string, Buffer | string> = Object.create(null);
  for (const [name, value] of Object.entries(recordHeaders ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first as Buffer | string;
  }
  return {
    // A pack entry gets the key it would have had alone: its content hash.
    key: packIndex === null ? message.key : createHash('sha256').update(raw.value!).digest('hex'),
    // The original bytes, untouched (a pack entry's own bytes), so the operator can fix and replay them.
    value: raw.value,
    headers: {
      ...headers,
      [HEADER.dlqReason]: reason,
      [HEADER.dlqDetail]: detail.slice(0, 4000),
      [HEADER.dlqSourceTopic]: input.topic,
      [HEADER.dlqSourcePartition]: String(input.shard),
      [HEADER.dlqSourceOffset]: message.offset,
      ...(packIndex === null ? {} : { [HEADER.dlqSourcePackIndex]: String(packIndex) }),
    },
  };
}
