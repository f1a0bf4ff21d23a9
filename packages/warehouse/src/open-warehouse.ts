import { ChdbWarehouse } from './chdb-adapter.js';
import { ServerWarehouse } from './server-adapter.js';
import type { Warehouse, WarehouseConfig } from './warehouse.js';

/** A ClickHouse server when `clickhouseUrl` is set, embedded chDB in `dataDir` otherwise. */
export async function openWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  if (config.clickhouseUrl) {
    return ServerWarehouse.open({
      url: config.clickhouseUrl,
      database: config.database,
      ...(config.logger ? { logger: config.logger } : {}),
      ...(config.requestTimeoutMs ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
    });
  }
  return ChdbWarehouse.open({ dataDir: config.dataDir, database: config.database, ...(config.logger ? { logger: config.logger } : {}) });
}
