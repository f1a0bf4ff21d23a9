import { createLogger } from '@probity/logger';
import { openConfiguredWarehouse } from '@probity/warehouse';
import { loadSinkConfig } from './config.js';
import { createSink } from './create-sink.js';

const config = loadSinkConfig();
const logger = createLogger('sink', config.LOG_LEVEL);
const warehouse = await openConfiguredWarehouse(config, logger);
const sink = createSink(config, warehouse, logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'sink stopping');
  await sink.stop();
  await warehouse.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await sink.start();
logger.info({ warehouse: warehouse.kind }, 'sink running');
process.stdout.write('sink ready\n');
