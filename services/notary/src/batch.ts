import { createHash } from 'node:crypto';
import { leafHash, signCheckpoint, signEnvelope, toBase64, type SigningKey } from '@probity/crypto';
import { encodeStatement, SIGNED_RECORD_FORMAT, STATEMENT_PAYLOAD_TYPE, type SignedRecordMessage } from '@probity/evidence';
import type { EvidenceStore } from '@probity/evidence-store';
import { HEADER, headerString, type KafkaMessage, type Message } from '@probity/kafka';
import { inspectMessage, type InspectContext } from './inspect.js';
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
  now: () => Date;
}

export interface BatchPlan {
  signed: Message[];
  dlq: Message[];
  /** Offset to commit: one past the last message of the batch. */
  nextOffset: string;
  treeSize: number;
  rootHash: Uint8Array;
  counts: { accepted: number; duplicates: number; dlq: Partial<Record<DlqReason, number>> };
}

/**
 * Turn one chunk of raw messages into its effects: leaves appended to the
 * shard's log (durably, before anything is published), a pack in the evidence
 * store, one signed checkpoint, signed records for the signed topic and DLQ
 * messages. Publishing and the offset commit happen in the caller's Kafka
 * transaction; if that fails the caller truncates the log back.
 */
export async function notarizeBatch(input: BatchInput, deps: BatchDeps): Promise<BatchPlan> {
  const now = deps.now();
  const context: InspectContext = { ...deps.inspect, now };
  const accepted: { record: AcceptedRecord; message: KafkaMessage; signaturesHash: string | null }[] = [];
  const dlq: Message[] = [];
  const counts: BatchPlan['counts'] = { accepted: 0, duplicates: 0, dlq: {} };
  const seenInBatch = new Set<string>();

  for (const message of input.messages) {
    const outcome = inspectMessage(
      {
        value: message.value,
        tenantHeader: headerString(message.headers, HEADER.tenant),
        emitterSignaturesHeader: headerString(message.headers, HEADER.emitterSignature),
      },
      context,
    );
    if (outcome.kind === 'dlq') {
      counts.dlq[outcome.reason] = (counts.dlq[outcome.reason] ?? 0) + 1;
      dlq.push(toDlqMessage(input, message, outcome.reason, outcome.detail));
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
    const signaturesHash =
      record.emitterEnvelope === null
        ? null
        : createHash('sha256').update(JSON.stringify((record.emitterEnvelope as { signatures: unknown }).signatures)).digest('hex');
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
  if (accepted.length > 0) {
    // Same indexes and bytes after a retried batch → same pack name and contents (write-once holds).
    const packName = `shard-${input.shard}-${firstIndex}-${firstIndex + accepted.length - 1}`;
    locations = await deps.store.putPack(
      packName,
      accepted.map(({ record }) => ({ contentHash: record.contentHashHex, bytes: record.bytes })),
    );
    // The local log is not fsynced: it is a cache of the committed log. After a crash,
    // recovery checks it against the committed root and rebuilds it from Kafka if it is short or wrong.
    deps.log.append(accepted.map(({ record }, i) => ({ contentHash: record.contentHash, leafHash: leafHashes[i]! })));
  }

  const treeSize = deps.log.size;
  const rootHash = deps.log.root(treeSize);
  const checkpoint = signCheckpoint({ origin: deps.origin, size: treeSize, rootHash }, deps.signer);

  const signed: Message[] = accepted.map(({ record, message }, i) => {
    const index = firstIndex + i;
    const body: SignedRecordMessage = {
      format: SIGNED_RECORD_FORMAT,
      tenant: record.tenant,
      content_hash: record.contentHashHex,
      record_type: record.recordType,
      schema_version: record.schemaVersion,
      schema_fingerprint: record.schemaFingerprint,
      shard: input.shard,
      leaf_index: index,
      record: record.bytes.toString('base64'),
      statement: statements[i]!.toString('base64'),
      emitter_envelope: record.emitterEnvelope as SignedRecordMessage['emitter_envelope'],
      notary_envelope: deps.signRecords ? signEnvelope(statements[i]!, STATEMENT_PAYLOAD_TYPE, deps.signer) : null,
      checkpoint,
      inclusion_proof: deps.log.inclusionProof(index, treeSize).map((h) => toBase64(h)),
      store: locations[i]!,
      source: { topic: input.topic, partition: input.shard, offset: message.offset },
    };
    return {
      key: record.contentHashHex,
      value: JSON.stringify(body),
      partition: input.shard,
      headers: { [HEADER.tenant]: record.tenant, [HEADER.contentHash]: record.contentHashHex },
    };
  });

  const last = input.messages[input.messages.length - 1];
  return {
    signed,
    dlq,
    nextOffset: last ? (BigInt(last.offset) + 1n).toString() : '0',
    treeSize,
    rootHash,
    counts,
  };
}

function toDlqMessage(input: BatchInput, message: KafkaMessage, reason: DlqReason, detail: string): Message {
  const headers: Record<string, Buffer | string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first as Buffer | string;
  }
  return {
    key: message.key,
    // The original bytes, untouched, so the operator can fix and replay them.
    value: message.value,
    headers: {
      ...headers,
      [HEADER.dlqReason]: reason,
      [HEADER.dlqDetail]: detail.slice(0, 4000),
      [HEADER.dlqSourceTopic]: input.topic,
      [HEADER.dlqSourcePartition]: String(input.shard),
      [HEADER.dlqSourceOffset]: message.offset,
    },
  };
}
