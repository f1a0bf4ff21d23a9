import { fromBase64 } from '@probity/crypto';
import type { SignedRecordMessage } from '@probity/evidence';
import { decodeStatement, toBundle } from '@probity/evidence';
import type { RecordType, SchemaRegistry } from '@probity/schema';
import { buildEvidenceRow, type EvidenceRow } from '@probity/warehouse';

export interface CheckpointInfo {
  shard: number;
  size: number;
  signedNote: string;
}

export type MappedMessage =
  | { kind: 'row'; row: EvidenceRow; checkpoint: CheckpointInfo }
  | { kind: 'poison'; reason: 'SIGNED_RECORD_MALFORMED' | 'RECORD_UNDECODABLE'; detail: string };

export interface MapContext {
  registry: SchemaRegistry;
  retentionYearsFor(tenant: string): number;
  partition: number;
  offset: string;
}

/**
 * One signed record → one `evidence_v1` row. The typed tables (inference,
 * study results, log leaves) are filled from this row by materialized views,
 * so deduplicating this single insert deduplicates them all.
 */
export function mapSignedMessage(value: Buffer | null, context: MapContext): MappedMessage {
  let message: SignedRecordMessage;
  try {
    message = JSON.parse(value?.toString('utf8') ?? '') as SignedRecordMessage;
    if (message.format !== 'probity.signed-record/v1' || typeof message.record !== 'string' || typeof message.statement !== 'string') {
      throw new Error(`unexpected format ${JSON.stringify(message.format)}`);
    }
  } catch (err) {
    return { kind: 'poison', reason: 'SIGNED_RECORD_MALFORMED', detail: (err as Error).message };
  }

  let decoded: ReturnType<SchemaRegistry['decode']>;
  let recordJson: Record<string, unknown>;
  let statement: ReturnType<typeof decodeStatement>;
  const recordBytes = fromBase64(message.record);
  try {
    decoded = context.registry.decode(recordBytes);
    recordJson = context.registry.toJson(decoded.recordType as RecordType, decoded.value) as Record<string, unknown>;
    statement = decodeStatement(fromBase64(message.statement));
  } catch (err) {
    return { kind: 'poison', reason: 'RECORD_UNDECODABLE', detail: (err as Error).message };
  }

  const value_ = decoded.value as Record<string, unknown>;
  const occurredAt = new Date(Number(value_.occurred_at) / 1000);
  // The warehouse keeps the record bytes in their own column; the rest of the evidence bundle as JSON.
  const { record: _bytes, ...bundleWithoutRecord } = toBundle(message);
  const row = buildEvidenceRow({
    tenant: message.tenant,
    contentHash: message.content_hash,
    recordType: decoded.recordType,
    schemaFingerprint: message.schema_fingerprint,
    modelId: stringField(value_.model_id),
    modelVersion: stringField(value_.model_version),
    stage: stageOf(decoded.recordType, value_),
    runId: stringField(value_.run_id ?? value_.request_id),
    manifestId: stringField(value_.manifest_id ?? value_.incident_id ?? value_.event_id),
    occurredAt,
    notarizedAt: new Date(statement.notarized_at),
    principal: principalOf(value_),
    controls: Array.isArray(value_.controls) ? (value_.controls as string[]) : [],
    shard: message.shard,
    leafIndex: message.leaf_index,
    record: recordBytes,
    recordJson: JSON.stringify(recordJson),
    envelopeJson: JSON.stringify(bundleWithoutRecord),
    ingestPartition: context.partition,
    ingestOffset: Number(context.offset),
    retentionYears: context.retentionYearsFor(message.tenant),
  });
  return { kind: 'row', row, checkpoint: { shard: message.shard, size: leafCountOf(message.checkpoint), signedNote: message.checkpoint } };
}

function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Manifests carry their stage; other record types are filed under a stage named after them. */
function stageOf(recordType: string, value: Record<string, unknown>): string {
  if (typeof value.stage === 'string') return value.stage;
  switch (recordType) {
    case 'InferenceRecord':
      return 'INFERENCE';
    case 'StudyResult':
      return 'MONITORING';
    default:
      return recordType.toUpperCase();
  }
}

function principalOf(value: Record<string, unknown>): string {
  const principal = (value.principal ?? value.reported_by ?? value.actor) as { id?: unknown } | string | undefined;
  if (typeof principal === 'string') return principal;
  return typeof principal?.id === 'string' ? principal.id : '';
}

/** The tree size line of a checkpoint note (second line). */
function leafCountOf(signedNote: string): number {
  return Number(signedNote.split('\n')[1]);
}
