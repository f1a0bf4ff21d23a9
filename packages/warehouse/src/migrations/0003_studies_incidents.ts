import { DEDUP_SETTINGS } from './migration.js';
import type { Migration } from './migration.js';

/** Study results (drift, calibration) and incidents raised from them. */
export const migration: Migration = {
  version: 3,
  name: '0003_studies_incidents',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.study_results_v1 (
      tenant LowCardinality(String),
      study_id String,
      study_kind LowCardinality(String),
      model_id LowCardinality(String),
      started_at DateTime64(6, 'UTC'),
      finished_at DateTime64(6, 'UTC'),
      method LowCardinality(String),
      library_version LowCardinality(String),
      parameters_json String CODEC(ZSTD(3)),
      result_json String CODEC(ZSTD(3)),
      passed Bool,
      content_hash_hex String EPHEMERAL,
      content_hash FixedString(32) DEFAULT unhex(content_hash_hex),
      retention_until Date
    )
    ENGINE = MergeTree
    PARTITION BY toYear(started_at)
    ORDER BY (tenant, model_id, study_kind, started_at, study_id)
    TTL retention_until DELETE
    SETTINGS ${DEDUP_SETTINGS}`,

    // Incidents change state (open → acknowledged → closed): each change is a
    // new row with a higher version; read with FINAL (a small table).
    `CREATE TABLE IF NOT EXISTS ${db}.incidents_v1 (
      tenant LowCardinality(String),
      incident_id String,
      opened_at DateTime64(6, 'UTC'),
      kind LowCardinality(String),
      severity LowCardinality(String),
      status LowCardinality(String),
      model_id LowCardinality(String),
      study_id String,
      summary String,
      details_json String CODEC(ZSTD(3)),
      updated_at DateTime64(6, 'UTC'),
      version UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    ORDER BY (tenant, incident_id)
    SETTINGS ${DEDUP_SETTINGS}`,
  ],
};
