import { TABLES } from './tables.js';
import type { Warehouse } from './warehouse.js';

/**
 * Deletes point-lookup rows whose `retention_until` has passed. MergeTree
 * tables drop expired rows by their TTL clause; `evidence_blobs_v2` is
 * EmbeddedRocksDB, which has no per-row TTL, so the sink calls this on a
 * timer. Idempotent; a row the TTL already removed from evidence_v1 stops
 * being answerable here once this has run. It scans the whole table (the
 * retention date is inside the stored value): 170 s for 10^7 rows on this
 * machine, so it runs on a session of its own and, by default, daily.
 */
export async function purgeExpiredEvidenceLookups(warehouse: Warehouse, today: Date = new Date()): Promise<void> {
  await warehouse.exec(
    `DELETE FROM ${TABLES.evidenceBlobs} WHERE retention_until < {today:Date}`,
    { today: today.toISOString().slice(0, 10) },
    // It reads every row (170 s at 10^7 rows here): never in front of the sink's inserts.
    { background: true },
  );
}
