import { TABLES, insertEvidenceDeduplicated, toClickHouseDateTime, type EvidenceRow, type Warehouse } from '@probity/warehouse';
import { parseSignedCheckpoint, toHex } from '@probity/crypto';
import type { CheckpointInfo } from './rows.js';

export interface WriteOutcome {
  inserted: number;
  duplicates: number;
  /** Rows an earlier, crashed attempt had left in some tables only: written again everywhere. */
  repaired: number;
  checkpoints: number;
}

/**
 * Write one batch: evidence rows first (deduplicated by content hash, which
 * also feeds the typed tables through materialized views), then the newest
 * checkpoint of each shard in the batch, so a stored checkpoint never
 * commits to leaves the warehouse does not have yet.
 */
export async function writeBatch(warehouse: Warehouse, rows: readonly EvidenceRow[], checkpoints: readonly CheckpointInfo[]): Promise<WriteOutcome> {
  const { inserted, duplicates, repaired } = rows.length > 0 ? await insertEvidenceDeduplicated(warehouse, rows) : { inserted: 0, duplicates: 0, repaired: 0 };
  const newest = new Map<number, CheckpointInfo>();
  for (const c of checkpoints) if ((newest.get(c.shard)?.size ?? -1) < c.size) newest.set(c.shard, c);
  let written = 0;
  for (const checkpoint of newest.values()) {
    const present = await warehouse.query<{ n: string }>(
      `SELECT count() AS n FROM ${TABLES.checkpoints} WHERE shard = {shard:UInt16} AND size = {size:UInt64}`,
      { shard: checkpoint.shard, size: checkpoint.size },
    );
    if (Number(present[0]?.n ?? 0) > 0) continue;
    const body = parseSignedCheckpoint(checkpoint.signedNote);
    await warehouse.insert(
      TABLES.checkpoints,
      [{ shard: checkpoint.shard, size: checkpoint.size, root_hash_hex: toHex(body.rootHash), signed_note: checkpoint.signedNote, created_at: toClickHouseDateTime(new Date()) }],
      // One row, so one part: after a crash it is there or not, and the check above decides. No token: the engine
      // records a token before the part is committed, so a crash in between would drop the retry.
      { columns: ['shard', 'size', 'root_hash_hex', 'signed_note', 'created_at'], deduplicate: false },
    );
    written += 1;
  }
  return { inserted, duplicates, repaired, checkpoints: written };
}
