import { DEDUP_SETTINGS } from './migration.js';
import type { Migration } from './migration.js';

/**
 * Every replay of a DLQ entry (`probity dlq replay`, `POST /v1/dlq/replay`):
 * which entry, whose record (tenant, content hash), when and by which token.
 * The leaf a replay became is found by the content hash in the evidence
 * tables, so the link DLQ entry → leaf holds for a record logged by the
 * replay and for one that was already logged (the notary refuses a second
 * leaf for a hash). `tenant` is empty for an entry whose tenant is unknown.
 */
export const migration: Migration = {
  version: 9,
  name: '0009_dlq_replays',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.dlq_replays_v1 (
      dlq_topic String,
      dlq_id String,
      tenant LowCardinality(String),
      content_hash_hex String EPHEMERAL,
      content_hash FixedString(32) DEFAULT unhex(content_hash_hex),
      reason LowCardinality(String),
      replayed_at DateTime64(3, 'UTC'),
      replayed_by String
    )
    ENGINE = MergeTree
    ORDER BY (dlq_topic, dlq_id, replayed_at)
    SETTINGS ${DEDUP_SETTINGS}`,
  ],
};
