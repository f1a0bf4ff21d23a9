import { DEDUP_SETTINGS } from './migration.js';
import type { Migration } from './migration.js';

/** Inference samples for drift studies: read as windows of one model's traffic. */
export const migration: Migration = {
  version: 2,
  name: '0002_inference',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.inference_v1 (
      tenant LowCardinality(String),
      model_id LowCardinality(String),
      model_version LowCardinality(String),
      occurred_at DateTime64(6, 'UTC'),
      content_hash_hex String EPHEMERAL,
      content_hash FixedString(32) DEFAULT unhex(content_hash_hex),
      features Map(LowCardinality(String), Float64),
      prediction Float64,
      label Nullable(Float64),
      latency_ms Float32,
      retention_until Date
    )
    ENGINE = MergeTree
    -- Monthly: inference is the high-volume table and studies read recent
    -- windows, so old months are whole parts that TTL and merges leave alone.
    PARTITION BY toYYYYMM(occurred_at)
    ORDER BY (tenant, model_id, occurred_at)
    TTL retention_until DELETE
    SETTINGS ${DEDUP_SETTINGS}`,
  ],
};
