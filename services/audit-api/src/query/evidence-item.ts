import { toBundle, type EvidenceSummary, type SignedRecord } from '@probity/evidence';
import type { WarehouseRow } from '@probity/warehouse';

/** Columns of a listed record (no bytes, no envelope). */
export const SUMMARY_COLUMNS = [
  'content_hash', 'record_type', 'schema_fingerprint', 'model_id', 'model_version', 'stage', 'run_id', 'manifest_id',
  'occurred_at', 'notarized_at', 'principal', 'controls', 'shard', 'leaf_index',
] as const;

/** Summary plus what a verifiable bundle needs. */
export const FULL_COLUMNS = [...SUMMARY_COLUMNS, 'record_json', 'record', 'envelope_json'] as const;

/** `2026-07-01 12:00:00.000000` (ClickHouse, UTC) → `2026-07-01T12:00:00.000000Z`. */
export function isoFromClickHouse(value: unknown): string {
  return `${String(value).replace(' ', 'T')}Z`;
}

export function summaryOf(row: WarehouseRow): EvidenceSummary {
  return {
    content_hash: String(row.content_hash_hex),
    record_type: String(row.record_type),
    schema_fingerprint: String(row.schema_fingerprint),
    model_id: String(row.model_id),
    model_version: String(row.model_version),
    stage: String(row.stage),
    run_id: String(row.run_id),
    manifest_id: String(row.manifest_id),
    occurred_at: isoFromClickHouse(row.occurred_at),
    notarized_at: isoFromClickHouse(row.notarized_at),
    principal: String(row.principal),
    controls: (row.controls as string[] | undefined) ?? [],
    shard: Number(row.shard),
    leaf_index: Number(row.leaf_index),
  };
}

/** The decoded record the sink stored beside the bytes. */
export function recordOf(row: WarehouseRow): unknown {
  return JSON.parse(String(row.record_json));
}

/**
 * The evidence bundle as the notary issued it: the sink stores it without
 * the record bytes (`envelope_json`), and the bytes in `record`.
 */
export function bundleOf(row: WarehouseRow): SignedRecord {
  const envelope = JSON.parse(String(row.envelope_json)) as Omit<SignedRecord, 'record'>;
  return toBundle({ ...envelope, record: String(row.record_base64) } as SignedRecord);
}

/**
 * An evidence document as every read path returns it (one record, list
 * pages, NDJSON lines): the readable fields the sink derived, the decoded
 * record and the bundle they must agree with (`verifyEvidenceDocument`).
 */
export function documentOf(row: WarehouseRow): EvidenceSummary & { tenant: string; record: unknown; bundle: SignedRecord } {
  const bundle = bundleOf(row);
  return { ...summaryOf(row), tenant: bundle.tenant, record: recordOf(row), bundle };
}
