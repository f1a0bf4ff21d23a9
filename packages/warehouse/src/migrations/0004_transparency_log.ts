import { DEDUP_SETTINGS } from './migration.js';
import type { Migration } from './migration.js';

/** The Merkle log's leaves and signed checkpoints, per shard. */
export const migration: Migration = {
  version: 4,
  name: '0004_transparency_log',
  statements: (db) => [
    // Proofs walk a shard by leaf index; the key is exactly that. Leaves are
    // never deleted (a proof needs every leaf), so no TTL.
    `CREATE TABLE IF NOT EXISTS ${db}.log_leaves_v1 (
      shard UInt16,
      leaf_index UInt64,
      leaf_hash_hex String EPHEMERAL,
      leaf_hash FixedString(32) DEFAULT unhex(leaf_hash_hex),
      content_hash_hex String EPHEMERAL,
      content_hash FixedString(32) DEFAULT unhex(content_hash_hex),
      tenant LowCardinality(String),
      appended_at DateTime64(6, 'UTC')
    )
    ENGINE = MergeTree
    ORDER BY (shard, leaf_index)
    SETTINGS ${DEDUP_SETTINGS}`,

    `CREATE TABLE IF NOT EXISTS ${db}.checkpoints_v1 (
      shard UInt16,
      size UInt64,
      root_hash_hex String EPHEMERAL,
      root_hash FixedString(32) DEFAULT unhex(root_hash_hex),
      signed_note String,
      created_at DateTime64(6, 'UTC')
    )
    ENGINE = MergeTree
    ORDER BY (shard, size)
    SETTINGS ${DEDUP_SETTINGS}`,
  ],
};
