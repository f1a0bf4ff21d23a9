import type { Migration } from './migration.js';

/**
 * The typed tables are derived from `evidence_v1` by materialized views, so
 * the sink writes exactly one table: deduplicating that insert by content
 * hash deduplicates every derived row too, and no derived table can hold a
 * row whose evidence is missing. Values come from `record_json` (the decoded
 * record as the schema package renders it) and from the bundle in
 * `envelope_json` (the statement whose hash is the log leaf).
 */
export const migration: Migration = {
  version: 6,
  name: '0006_derived_from_evidence',
  statements: (db) => [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.inference_mv_v1 TO ${db}.inference_v1 AS
      SELECT
        tenant, model_id, model_version, occurred_at, content_hash,
        CAST(JSONExtract(record_json, 'features', 'Map(String, Float64)') AS Map(LowCardinality(String), Float64)) AS features,
        ifNull(JSONExtract(record_json, 'prediction', 'Nullable(Float64)'), nan) AS prediction,
        CAST(NULL AS Nullable(Float64)) AS label,
        toFloat32(JSONExtractFloat(record_json, 'latency_ms')) AS latency_ms,
        retention_until
      FROM ${db}.evidence_v1 WHERE record_type = 'InferenceRecord'`,

    // RFC 6962 leaf hash = SHA-256(0x00 || statement bytes).
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.log_leaves_mv_v1 TO ${db}.log_leaves_v1 AS
      SELECT
        shard, leaf_index,
        SHA256(concat(unhex('00'), base64Decode(JSONExtractString(envelope_json, 'statement')))) AS leaf_hash,
        content_hash, tenant, notarized_at AS appended_at
      FROM ${db}.evidence_v1`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.study_results_mv_v1 TO ${db}.study_results_v1 AS
      SELECT
        tenant,
        JSONExtractString(record_json, 'study_id') AS study_id,
        JSONExtractString(record_json, 'kind') AS study_kind,
        model_id,
        parseDateTime64BestEffort(JSONExtractString(record_json, 'started_at'), 6, 'UTC') AS started_at,
        parseDateTime64BestEffort(JSONExtractString(record_json, 'finished_at'), 6, 'UTC') AS finished_at,
        arrayStringConcat(JSONExtract(record_json, 'methods', 'Array(String)'), ',') AS method,
        JSONExtractString(record_json, 'library_version') AS library_version,
        JSONExtractRaw(record_json, 'parameters') AS parameters_json,
        record_json AS result_json,
        JSONExtractString(record_json, 'verdict') = 'PASS' AS passed,
        content_hash, retention_until
      FROM ${db}.evidence_v1 WHERE record_type = 'StudyResult'`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.incidents_mv_v1 TO ${db}.incidents_v1 AS
      SELECT
        tenant,
        JSONExtractString(record_json, 'incident_id') AS incident_id,
        occurred_at AS opened_at,
        'incident' AS kind,
        JSONExtractString(record_json, 'severity') AS severity,
        JSONExtractString(record_json, 'status') AS status,
        model_id,
        '' AS study_id,
        JSONExtractString(record_json, 'title') AS summary,
        record_json AS details_json,
        notarized_at AS updated_at,
        toUInt64(toUnixTimestamp64Micro(notarized_at)) AS version
      FROM ${db}.evidence_v1 WHERE record_type = 'Incident'`,
  ],
};
