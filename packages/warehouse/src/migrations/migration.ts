/**
 * A statement, or one that ClickHouse cannot make idempotent itself (`ALTER
 * TABLE … REMOVE TTL` fails on a table without TTL): it runs only when the
 * `skipWhen` query returns no row.
 */
export type MigrationStatement = string | { sql: string; skipWhen: string };

/** One numbered schema change. Statements must be safe to re-run (`IF NOT EXISTS`). */
export interface Migration {
  /** 1, 2, 3…: the next migration is max + 1, never slotted in. */
  readonly version: number;
  /** `0001_evidence`: the file name without extension. */
  readonly name: string;
  /** Statements for a database whose name is a checked identifier. */
  statements(database: string): readonly MigrationStatement[];
}

/**
 * Settings every MergeTree of ours carries: with it an insert that repeats
 * an `insert_deduplication_token` seen in the last N blocks is dropped, also
 * after a restart (the hashes live in the table's metadata on disk).
 */
export const DEDUP_SETTINGS = 'non_replicated_deduplication_window = 10000';
