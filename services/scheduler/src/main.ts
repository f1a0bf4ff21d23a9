import { createLogger } from '@probity/logger';
import { openConfiguredWarehouse } from '@probity/warehouse';
import { loadSchedulerConfig } from './config.js';
import { startSchedulerService } from './start-service.js';

// Standalone scheduler (against a ClickHouse server). Locally, the all-in-one
// process runs startSchedulerService itself, since chDB binds one process.
const config = loadSchedulerConfig();
const logger = createLogger('scheduler', config.LOG_LEVEL);
const warehouse = await openConfiguredWarehouse(config, logger);
const service = await startSchedulerService(config, warehouse, logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'scheduler stopping');
  await service.stop();
  await warehouse.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.stdout.write('scheduler ready\n');
