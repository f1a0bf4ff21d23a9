import { TABLES } from './tables.js';
import type { Warehouse } from './warehouse.js';

/**
 * Deletes point-lookup rows whose `retention_until` has passed. MergeTree
 * tables drop expired rows by their TTL clause; `evidence_blobs_v2` is
 * EmbeddedRocksDB, which has no per-row TTL, so the sink calls this on a
 * timer. Idempotent; a row the TTL already removed from evidence_v1 stops
 * being answerable here once this has run.
 */
export async function purgeExpiredEvidenceLookups(warehouse: Warehouse, today: Date = new Date()): Promise<void> {
  await warehouse.exec(`DELETE FROM ${TABLES.evidenceBlobs} WHERE retention_until < {today:Date}`, {
    today: today.toISOString().slice(0, 10),
  });
}
