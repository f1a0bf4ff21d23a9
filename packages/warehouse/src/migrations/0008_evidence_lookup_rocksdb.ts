import type { Migration } from './migration.js';

/**
 * The point lookup by content hash as a key-value read: `evidence_blobs_v2`
 * is an EmbeddedRocksDB table keyed by `lookup_key` = `tenant:hex(hash)`
 * (see `evidenceLookupKey`), holding every column a record's answer needs.
 * `WHERE lookup_key = …` is a RocksDB Get (EXPLAIN: ReadType GetKeys),
 * whatever the table's size and however many inserts built it.
 *
 * Why it replaces `evidence_blobs_v1` (MergeTree ORDER BY tenant,
 * content_hash, 64-row compact granules): a MergeTree point read probes
 * every part, and at 10^7 rows the table settles at ~12 parts, so the
 * lookup cost p99 12.6 ms bare (target 10 ms). Probe on chDB 26.7 with
 * 10^7 rows of 1.5 KB: RocksDB Get p50 1.0–1.2 ms, p99 ~4 ms.
 *
 * Dedupe holds by construction: a redelivered record writes the same key
 * with the same value. Retention: EmbeddedRocksDB has no per-row TTL, so
 * `purgeExpiredEvidence` deletes rows past retention (the sink runs it on a
 * timer; since migration 0010 it is also what purges evidence_v1). Tenant
 * isolation does not rest on the key alone: every read also filters
 * `tenant = {tenant}` (TenantScopedQuery).
 *
 * Filled by a materialized view from evidence_v1 like v1 was; existing rows
 * are copied over, then v1 and its view are dropped (they only doubled the
 * wide columns on disk).
 */
/** evidence_v1 rows in the shape of evidence_blobs_v2 (for the view and the one-time copy). */
const fromEvidence = (db: string) => `SELECT concat(tenant, ':', lower(hex(content_hash))) AS lookup_key, tenant, content_hash,
        record_type, schema_fingerprint, model_id, model_version, stage, run_id, manifest_id, occurred_at, notarized_at,
        principal, controls, shard, leaf_index, record, record_json, envelope_json, retention_until
      FROM ${db}.evidence_v1`;

export const migration: Migration = {
  version: 8,
  name: '0008_evidence_lookup_rocksdb',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.evidence_blobs_v2 (
      lookup_key String,
      tenant LowCardinality(String),
      content_hash FixedString(32),
      record_type LowCardinality(String),
      schema_fingerprint LowCardinality(String),
      model_id LowCardinality(String),
      model_version String,
      stage LowCardinality(String),
      run_id String,
      manifest_id String,
      occurred_at DateTime64(6, 'UTC'),
      notarized_at DateTime64(6, 'UTC'),
      principal String,
      controls Array(LowCardinality(String)),
      shard UInt16,
      leaf_index UInt64,
      record String,
      record_json String,
      envelope_json String,
      retention_until Date
    )
    ENGINE = EmbeddedRocksDB
    PRIMARY KEY lookup_key`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.evidence_blobs_mv_v2 TO ${db}.evidence_blobs_v2 AS
      ${fromEvidence(db)}`,

    // Copy the records already in evidence_v1 (an upsert: safe to repeat), then retire v1.
    `INSERT INTO ${db}.evidence_blobs_v2
      ${fromEvidence(db)}`,

    `DROP VIEW IF EXISTS ${db}.evidence_blobs_mv_v1`,
    `DROP TABLE IF EXISTS ${db}.evidence_blobs_v1`,
  ],
};
