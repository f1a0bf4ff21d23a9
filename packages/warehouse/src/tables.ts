/** Versioned table names: a table that must change gets `_v2`, never an in-place rewrite. */
export const TABLES = {
  evidence: 'evidence_v1',
  evidenceByHash: 'evidence_by_hash_v1',
  evidenceBlobs: 'evidence_blobs_v2',
  evidenceByRun: 'evidence_by_run_v1',
  inference: 'inference_v1',
  studyResults: 'study_results_v1',
  incidents: 'incidents_v1',
  logLeaves: 'log_leaves_v1',
  checkpoints: 'checkpoints_v1',
  apiTokens: 'api_tokens_v1',
  tenants: 'tenants_v1',
  dlqReplays: 'dlq_replays_v1',
  legalHolds: 'legal_holds_v1',
  schemaMigrations: 'schema_migrations',
} as const;

export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** Default evidence retention when a tenant sets none. */
export const DEFAULT_RETENTION_YEARS = 7;

const HEX_32 = /^[0-9a-f]{64}$/;

/** A SHA-256 as 64 lowercase hex characters; throws otherwise. */
export function assertHash(hex: string, what = 'hash'): string {
  if (!HEX_32.test(hex)) throw new TypeError(`${what} must be 64 lowercase hex characters`);
  return hex;
}

/**
 * The key of a record in `evidence_blobs_v2` (migration 0008): `tenant:hex`.
 * Unambiguous because the hash part is always 64 characters; the view that
 * fills the table builds the same string in SQL.
 */
export function evidenceLookupKey(tenant: string, contentHashHex: string): string {
  return `${tenant}:${assertHash(contentHashHex, 'content hash')}`;
}

/**
 * SQL for a bound hex hash as the FixedString(32) stored in hash columns.
 * Always go through toFixedString: measured on chDB 26.7, `content_hash IN
 * (SELECT unhex(…))` with a String set silently missed every hash whose last
 * byte is 0x00 (about 1 in 256), because the String→FixedString conversion
 * of the set drops trailing zero bytes.
 */
export function hashFromHexParam(param: string): string {
  return `toFixedString(unhex({${param}:String}), 32)`;
}

/** Set of hashes from a bound array of hex strings, for `content_hash IN …`. */
export function hashSetFromHexArrayParam(param: string): string {
  return `(SELECT toFixedString(unhex(arrayJoin({${param}:Array(String)})), 32))`;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), the text form of DateTime64(6). Strings pass through. */
export function toClickHouseDateTime(value: Date | string): string {
  if (typeof value === 'string') return value;
  if (Number.isNaN(value.getTime())) throw new TypeError('invalid date');
  return value.toISOString().replace('T', ' ').replace('Z', '000');
}

/** The `retention_until` date of a record: occurred_at plus the tenant's retention in years. */
export function retentionUntil(occurredAt: Date, years: number = DEFAULT_RETENTION_YEARS): string {
  if (!Number.isInteger(years) || years < 1) throw new TypeError('retention years must be a positive integer');
  const d = new Date(occurredAt.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().slice(0, 10);
}

/** An `evidence_v1` row as inserted (hex / base64 go into EPHEMERAL input columns). */
export interface EvidenceRow {
  tenant: string;
  content_hash_hex: string;
  record_type: string;
  schema_fingerprint: string;
  model_id: string;
  model_version: string;
  stage: string;
  run_id: string;
  manifest_id: string;
  occurred_at: string;
  notarized_at: string;
  principal: string;
  controls: string[];
  shard: number;
  leaf_index: number;
  record_base64: string;
  record_json: string;
  envelope_json: string;
  ingest_partition: number;
  ingest_offset: number;
  retention_until: string;
}

/** Columns an evidence insert names (the EPHEMERAL inputs must be named). */
export const EVIDENCE_INSERT_COLUMNS: readonly (keyof EvidenceRow)[] = [
  'tenant', 'content_hash_hex', 'record_type', 'schema_fingerprint', 'model_id', 'model_version', 'stage', 'run_id',
  'manifest_id', 'occurred_at', 'notarized_at', 'principal', 'controls', 'shard', 'leaf_index', 'record_base64',
  'record_json', 'envelope_json', 'ingest_partition', 'ingest_offset', 'retention_until',
];

/**
 * Select list giving evidence back in the insert's shape (hashes as hex,
 * Avro bytes as base64), so the API and exports never handle raw bytes.
 * The aliases differ from the column names on purpose: ClickHouse lets a
 * SELECT alias shadow a column in WHERE, so `lower(hex(content_hash)) AS
 * content_hash` would silently break `WHERE content_hash = unhex(…)`.
 */
export const EVIDENCE_SELECT_LIST = [
  'tenant', 'lower(hex(content_hash)) AS content_hash_hex', 'record_type', 'schema_fingerprint', 'model_id', 'model_version',
  'stage', 'run_id', 'manifest_id', 'occurred_at', 'notarized_at', 'principal', 'controls', 'shard', 'leaf_index',
  'base64Encode(record) AS record_base64', 'record_json', 'envelope_json', 'ingest_partition', 'ingest_offset',
  'retention_until',
].join(', ');

/** What the sink knows about a notarized record. */
export interface EvidenceInput {
  tenant: string;
  contentHash: string;
  recordType: string;
  schemaFingerprint: string;
  modelId: string;
  modelVersion: string;
  stage: string;
  runId: string;
  manifestId: string;
  occurredAt: Date;
  notarizedAt: Date;
  principal: string;
  controls: readonly string[];
  shard: number;
  leafIndex: number;
  /** Avro single-object encoded manifest. */
  record: Uint8Array;
  recordJson: string;
  envelopeJson: string;
  ingestPartition: number;
  ingestOffset: number;
  /** The tenant's retention. @defaultValue 7 */
  retentionYears?: number;
}

export function buildEvidenceRow(input: EvidenceInput): EvidenceRow {
  if (!input.tenant) throw new TypeError('tenant is required');
  return {
    tenant: input.tenant,
    content_hash_hex: assertHash(input.contentHash, 'contentHash'),
    record_type: input.recordType,
    schema_fingerprint: input.schemaFingerprint,
    model_id: input.modelId,
    model_version: input.modelVersion,
    stage: input.stage,
    run_id: input.runId,
    manifest_id: input.manifestId,
    occurred_at: toClickHouseDateTime(input.occurredAt),
    notarized_at: toClickHouseDateTime(input.notarizedAt),
    principal: input.principal,
    controls: [...input.controls],
    shard: input.shard,
    leaf_index: input.leafIndex,
    record_base64: Buffer.from(input.record.buffer, input.record.byteOffset, input.record.byteLength).toString('base64'),
    record_json: input.recordJson,
    envelope_json: input.envelopeJson,
    ingest_partition: input.ingestPartition,
    ingest_offset: input.ingestOffset,
    retention_until: retentionUntil(input.occurredAt, input.retentionYears ?? DEFAULT_RETENTION_YEARS),
  };
}

/** An `inference_v1` row as inserted. */
export interface InferenceRow {
  tenant: string;
  model_id: string;
  model_version: string;
  occurred_at: string;
  content_hash_hex: string;
  features: Record<string, number>;
  prediction: number;
  label: number | null;
  latency_ms: number;
  retention_until: string;
}

export const INFERENCE_INSERT_COLUMNS: readonly (keyof InferenceRow)[] = [
  'tenant', 'model_id', 'model_version', 'occurred_at', 'content_hash_hex', 'features', 'prediction', 'label', 'latency_ms', 'retention_until',
];

export interface StudyResultRow {
  tenant: string;
  study_id: string;
  study_kind: string;
  model_id: string;
  started_at: string;
  finished_at: string;
  method: string;
  library_version: string;
  parameters_json: string;
  result_json: string;
  passed: boolean;
  content_hash_hex: string;
  retention_until: string;
}

export interface IncidentRow {
  tenant: string;
  incident_id: string;
  opened_at: string;
  kind: string;
  severity: string;
  status: string;
  model_id: string;
  study_id: string;
  summary: string;
  details_json: string;
  updated_at: string;
  version: number;
}

export interface LogLeafRow {
  shard: number;
  leaf_index: number;
  leaf_hash_hex: string;
  content_hash_hex: string;
  tenant: string;
  appended_at: string;
}

export interface CheckpointRow {
  shard: number;
  size: number;
  root_hash_hex: string;
  signed_note: string;
  created_at: string;
}

export interface ApiTokenRow {
  token_hash_hex: string;
  tenant: string;
  role: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  version: number;
}

export interface TenantRow {
  tenant: string;
  retention_years: number;
  require_emitter_signatures: boolean;
  updated_at: string;
  version: number;
}
