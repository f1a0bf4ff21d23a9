/**
 * The audit API on its own, for a ClickHouse server (CLICKHOUSE_URL). With
 * embedded chDB the API runs inside the local services process instead
 * (one chDB data dir per process), which calls buildAuditApp itself.
 */
import { createLogger } from '@probity/logger';
import { openConfiguredWarehouse } from '@probity/warehouse';
import { buildAuditApp } from './app.js';
import { loadAuditApiConfig } from './config.js';
import { DlqService } from './dlq/dlq-service.js';
import { createHoldEmitter } from './holds/hold-emitter.js';
import { warehouseTokenVerifier } from './tokens/token-verifier.js';

const config = loadAuditApiConfig();
const logger = createLogger('audit-api', config.LOG_LEVEL);
if (!config.CLICKHOUSE_URL) {
  logger.warn('CLICKHOUSE_URL is not set: opening embedded chDB, which no other process (sink, `probity up`) may hold at the same time');
}
const warehouse = await openConfiguredWarehouse(config, logger);
const dlq = DlqService.fromConfig(config, warehouse);
// Legal hold records go through the pipeline like any evidence (spooled under PROBITY_DATA_DIR while Kafka is down).
const emitter = await createHoldEmitter(config, logger);
const app = await buildAuditApp({
  warehouse,
  dlq,
  emitter,
  logger,
  notaryKeysDir: config.notaryKeysDir,
  tokenVerifier: warehouseTokenVerifier(warehouse, { cacheTtlMs: config.PROBITY_TOKEN_CACHE_MS }),
});
await app.listen({ host: config.PROBITY_API_HOST, port: config.PROBITY_API_PORT });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'audit API stopping');
    void app
      .close()
      .then(() => dlq.close())
      .then(() => emitter.close({ drainTimeoutMs: 5000 }))
      .then(() => warehouse.close())
      .then(() => process.exit(0));
  });
}
