import { DEDUP_SETTINGS } from './migration.js';
import type { Migration, MigrationStatement } from './migration.js';

/** REMOVE TTL fails on a table without one: skipped when the table's definition has no TTL left. */
const removeTtl = (db: string, table: string): MigrationStatement => ({
  sql: `ALTER TABLE ${db}.${table} REMOVE TTL`,
  skipWhen: `SELECT 1 FROM system.tables WHERE database = '${db}' AND name = '${table}' AND position(create_table_query, ' TTL ') = 0`,
});

/**
 * Legal holds, and retention that a hold can stop.
 *
 * `legal_holds_v1` is a hold's current state (each change a new row with a
 * higher version, read with FINAL). The audit API writes it after emitting
 * the change as a signed `LegalHold` record, whose content hash it keeps: the
 * row is not derived from evidence, so a `LegalHold` record that an emitter
 * token sent on its own cannot lift a hold.
 *
 * ClickHouse's `TTL retention_until DELETE` would drop rows at merges,
 * held or not, and report nothing. The TTLs are removed: rows past retention
 * are deleted only by `purgeExpiredEvidence` (the sink's timer), which skips
 * what a hold covers and reports it.
 */
export const migration: Migration = {
  version: 10,
  name: '0010_legal_holds',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.legal_holds_v1 (
      tenant LowCardinality(String),
      hold_id String,
      status LowCardinality(String),
      scope LowCardinality(String),
      model_id String,
      period_from Nullable(DateTime64(6, 'UTC')),
      period_to Nullable(DateTime64(6, 'UTC')),
      reason String,
      placed_at DateTime64(6, 'UTC'),
      placed_by String,
      placed_record String,
      lift_reason String,
      lifted_at Nullable(DateTime64(6, 'UTC')),
      lifted_by String,
      lifted_record String,
      version UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    ORDER BY (tenant, hold_id)
    SETTINGS ${DEDUP_SETTINGS}`,
    removeTtl(db, 'evidence_v1'),
    removeTtl(db, 'evidence_by_hash_v1'),
    removeTtl(db, 'evidence_by_run_v1'),
    removeTtl(db, 'inference_v1'),
    removeTtl(db, 'study_results_v1'),
  ],
};
