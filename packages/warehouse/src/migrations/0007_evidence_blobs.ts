import { DEDUP_SETTINGS } from './migration.js';
import type { Migration } from './migration.js';

/**
 * Compact parts at every size: one data file holds a granule's columns side
 * by side, so a point read of 17 columns is one seek and one small read
 * instead of ~30 column and mark files (probe on 1.5M rows, one merged
 * part: p50 3.6 vs 5.5 ms, p99 4.7 vs 8.3 ms).
 */
const ALWAYS_COMPACT_BYTES = 1024 ** 4;

/**
 * The point lookup by content hash in ONE primary-key read: every column
 * the API returns for a single record, keyed by (tenant, content_hash), in
 * granules of 64 rows.
 *
 * Why a second copy of the wide columns: in `evidence_v1` (sorted for range
 * queries) an adaptive granule holds ~2,900 rows of ~2 KB, so reading one
 * record decompressed megabytes (~8.6 ms p50 at 10^7 rows) after the
 * `evidence_by_hash_v1` hop. bench/query/lookup-layouts.ts compared the
 * options on the same 1.5M rows (bare SQL, p50 / p99 ms): as is 15.6 /
 * 20.1; evidence_v1 with index_granularity_bytes 1 MiB 11.3 / 15.4 and
 * 256 KiB 9.9 / 14.5 (still two reads, and the quarter page's p99 got
 * worse); this table 7.3 / 10.0 with wide parts, ~3.7 / 5 with compact
 * parts. bench/query at 10^7 rows (12 unmerged parts, each probed): byHash
 * p50 7.0 / p99 9.3 ms. It costs the wide columns twice on disk: 1,683 B
 * per row (evidence_v1: 1,285), and insert throughput fell (see bench).
 *
 * Filled by a materialized view from `evidence_v1`, so the sink still
 * writes one table and its deduplicated insert dedupes this copy too
 * (`deduplicate_blocks_in_dependent_materialized_views`). Not partitioned:
 * one sorted key space, one granule per lookup. Rows inserted before this
 * migration are not copied (nothing was deployed before it).
 */
export const migration: Migration = {
  version: 7,
  name: '0007_evidence_blobs',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.evidence_blobs_v1 (
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
      record String CODEC(ZSTD(3)),
      record_json String CODEC(ZSTD(3)),
      envelope_json String CODEC(ZSTD(3)),
      retention_until Date
    )
    ENGINE = MergeTree
    ORDER BY (tenant, content_hash)
    TTL retention_until DELETE
    SETTINGS ${DEDUP_SETTINGS}, index_granularity = 64, min_bytes_for_wide_part = ${ALWAYS_COMPACT_BYTES}`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.evidence_blobs_mv_v1 TO ${db}.evidence_blobs_v1 AS
      SELECT tenant, content_hash, record_type, schema_fingerprint, model_id, model_version, stage, run_id, manifest_id,
        occurred_at, notarized_at, principal, controls, shard, leaf_index, record, record_json, envelope_json, retention_until
      FROM ${db}.evidence_v1`,
  ],
};
