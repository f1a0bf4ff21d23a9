import { dataDirLayout } from '@probity/config';
import { openWarehouse } from './open-warehouse.js';
import { runMigrations } from './run-migrations.js';
import type { Warehouse, WarehouseLogger } from './warehouse.js';

/** The environment slice every process that needs the warehouse has parsed. */
export interface WarehouseEnv {
  CLICKHOUSE_URL?: string | undefined;
  CLICKHOUSE_DATABASE: string;
  PROBITY_DATA_DIR: string;
}

/**
 * Open the configured warehouse (a server when CLICKHOUSE_URL is set, else
 * chDB in `<data dir>/chdb`) and bring its schema up to date. Migrations are
 * idempotent, so every process may run them at start.
 */
export async function openConfiguredWarehouse(env: WarehouseEnv, logger?: WarehouseLogger): Promise<Warehouse> {
  const warehouse = await openWarehouse({
    ...(env.CLICKHOUSE_URL ? { clickhouseUrl: env.CLICKHOUSE_URL } : {}),
    database: env.CLICKHOUSE_DATABASE,
    dataDir: dataDirLayout(env.PROBITY_DATA_DIR).chdbDir,
    ...(logger ? { logger } : {}),
  });
  try {
    const { applied } = await runMigrations(warehouse, { database: env.CLICKHOUSE_DATABASE });
    if (applied.length > 0) logger?.info({ applied }, 'warehouse migrations applied');
  } catch (err) {
    await warehouse.close();
    throw err;
  }
  return warehouse;
}
