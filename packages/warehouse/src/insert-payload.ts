import { columnsOf, encodeJsonEachRow } from './ndjson.js';
import { assertIdentifier, assertTableName } from './warehouse.js';
import type { InsertOptions, WarehouseRow } from './warehouse.js';

/**
 * Settings for every insert, on both engines. async_insert defaults to on in
 * recent engines: an async insert resolves before the data is in a part, so
 * we turn it off — a resolved insert must be durable before the sink commits
 * Kafka offsets. Dependent materialized views (our lookup tables) must
 * deduplicate with the source block, or an exact retry would leave a second
 * lookup row.
 */
export const INSERT_SETTINGS = {
  async_insert: 0,
  insert_deduplicate: 1,
  deduplicate_blocks_in_dependent_materialized_views: 1,
  date_time_input_format: 'best_effort',
} as const;

/**
 * Settings for an insert the engine must not deduplicate (InsertOptions.deduplicate false).
 * Since 26.x `deduplicate_insert` (default enable) overrides `insert_deduplicate`, so
 * both are needed where the engine knows the first; older servers know only the second.
 */
export function noDeduplicationSettings(engineKnowsDeduplicateInsert: boolean): Record<string, string | number> {
  return engineKnowsDeduplicateInsert ? { insert_deduplicate: 0, deduplicate_insert: 'disable' } : { insert_deduplicate: 0 };
}

export interface InsertPayload {
  /** JSONEachRow bytes. */
  payload: Buffer;
  /** Checked column names, when known (always for row objects). */
  columns: string[] | undefined;
}

/** What both adapters send for an insert; undefined for an empty row list (nothing to do). */
export function insertPayload(table: string, rows: readonly WarehouseRow[] | Buffer, options: InsertOptions): InsertPayload | undefined {
  assertTableName(table);
  const isBuffer = Buffer.isBuffer(rows);
  if (!isBuffer && rows.length === 0) return undefined;
  const columns = options.columns ? [...options.columns] : isBuffer ? undefined : columnsOf(rows);
  columns?.forEach((c) => assertIdentifier(c, 'column'));
  return { payload: isBuffer ? rows : encodeJsonEachRow(rows), columns };
}
