import { DEDUP_SETTINGS } from './migration.js';
import type { Migration } from './migration.js';

/**
 * Mutable configuration: each change is a new row with a higher `version`,
 * ReplacingMergeTree keeps the last, and readers use FINAL (tiny tables, so
 * FINAL's cost does not matter here).
 */
export const migration: Migration = {
  version: 5,
  name: '0005_tenants_tokens',
  statements: (db) => [
    // Looked up by token hash before the tenant is known, hence not tenant-first.
    `CREATE TABLE IF NOT EXISTS ${db}.api_tokens_v1 (
      token_hash_hex String EPHEMERAL,
      token_hash FixedString(32) DEFAULT unhex(token_hash_hex),
      tenant LowCardinality(String),
      role LowCardinality(String),
      created_at DateTime64(3, 'UTC'),
      expires_at Nullable(DateTime64(3, 'UTC')),
      revoked_at Nullable(DateTime64(3, 'UTC')),
      version UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    ORDER BY token_hash
    SETTINGS ${DEDUP_SETTINGS}`,

    `CREATE TABLE IF NOT EXISTS ${db}.tenants_v1 (
      tenant LowCardinality(String),
      retention_years UInt16 DEFAULT 7,
      require_emitter_signatures Bool DEFAULT false,
      updated_at DateTime64(3, 'UTC'),
      version UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    ORDER BY tenant
    SETTINGS ${DEDUP_SETTINGS}`,
  ],
};
