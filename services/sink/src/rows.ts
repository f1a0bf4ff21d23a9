import { deriveEvidenceSummary, expandSignedBatchEntries, occurredAtMs, parseSignedBatch, toBundle, type SignedRecordMessage, type Statement } from '@probity/evidence';
import type { RecordType, SchemaRegistry } from '@probity/schema';
import { buildEvidenceRow, type EvidenceRow } from '@probity/warehouse';

export interface CheckpointInfo {
  shard: number;
  size: number;
  signedNote: string;
}

export type PoisonReason = 'SIGNED_BATCH_MALFORMED' | 'SIGNED_BATCH_INCONSISTENT' | 'RECORD_UNDECODABLE';

export interface Poison {
  reason: PoisonReason;
  detail: string;
  /** What goes to the DLQ: the whole message when the batch is refused, the one record's JSON otherwise. */
  value: Buffer | null;
}

export interface MappedBatch {
  rows: EvidenceRow[];
  /** The batch's checkpoint, once (absent when the whole batch was refused). */
  checkpoint: CheckpointInfo | null;
  poison: Poison[];
}

export interface MapContext {
  registry: SchemaRegistry;
  retentionYearsFor(tenant: string): number;
  partition: number;
  offset: string;
}

/**
 * One signed batch → one `evidence_v1` row per record. The typed tables
 * (inference, study results, log leaves) are filled from those rows by
 * materialized views, so deduplicating this single insert deduplicates them
 * all. A batch whose leaves do not hash to its checkpoint is refused whole;
 * a record whose bytes do not decode is refused alone.
 */
export function mapSignedBatch(value: Buffer | null, context: MapContext): MappedBatch {
  let records: { record: SignedRecordMessage; statement: Statement; recordBytes: Buffer }[];
  let checkpoint: CheckpointInfo;
  try {
    const batch = parseSignedBatch(value);
    records = expandSignedBatchEntries(batch);
    checkpoint = { shard: batch.shard, size: batch.first_index + batch.records.length, signedNote: batch.checkpoint };
  } catch (err) {
    const reason = (err as { code?: string }).code === 'SIGNED_BATCH_INCONSISTENT' ? 'SIGNED_BATCH_INCONSISTENT' : 'SIGNED_BATCH_MALFORMED';
    return { rows: [], checkpoint: null, poison: [{ reason, detail: (err as Error).message, value }] };
  }
  const rows: EvidenceRow[] = [];
  const poison: Poison[] = [];
  for (const { record, statement, recordBytes } of records) {
    const mapped = mapSignedRecord(record, statement, recordBytes, context);
    if ('row' in mapped) rows.push(mapped.row);
    else poison.push({ reason: 'RECORD_UNDECODABLE', detail: mapped.detail, value: Buffer.from(JSON.stringify(record)) });
  }
  return { rows, checkpoint, poison };
}

function mapSignedRecord(message: SignedRecordMessage, statement: Statement, recordBytes: Buffer, context: MapContext): { row: EvidenceRow } | { detail: string } {
  let decoded: ReturnType<SchemaRegistry['decode']>;
  let recordJson: Record<string, unknown>;
  try {
    decoded = context.registry.decode(recordBytes);
    recordJson = context.registry.toJson(decoded.recordType as RecordType, decoded.value) as Record<string, unknown>;
  } catch (err) {
    return { detail: (err as Error).message };
  }

  const summary = deriveEvidenceSummary({ recordType: decoded.recordType, value: decoded.value as Record<string, unknown> }, statement);
  // The warehouse keeps the record bytes in their own column; the rest of the evidence bundle as JSON.
  const { record: _bytes, ...bundleWithoutRecord } = toBundle(message);
  const row = buildEvidenceRow({
    tenant: message.tenant,
    contentHash: summary.content_hash,
    recordType: summary.record_type,
    schemaFingerprint: summary.schema_fingerprint,
    modelId: summary.model_id,
    modelVersion: summary.model_version,
    stage: summary.stage,
    runId: summary.run_id,
    manifestId: summary.manifest_id,
    occurredAt: new Date(occurredAtMs(decoded.value as Record<string, unknown>)),
    notarizedAt: new Date(statement.notarized_at),
    principal: summary.principal,
    controls: summary.controls,
    shard: summary.shard,
    leafIndex: summary.leaf_index,
    record: recordBytes,
    recordJson: JSON.stringify(recordJson),
    envelopeJson: JSON.stringify(bundleWithoutRecord),
    ingestPartition: context.partition,
    ingestOffset: Number(context.offset),
    retentionYears: context.retentionYearsFor(message.tenant),
  });
  return { row };
}
