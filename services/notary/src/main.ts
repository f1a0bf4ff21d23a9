import { createLogger } from '@probity/logger';
import { loadNotaryConfig } from './config.js';
import { createNotary } from './create-notary.js';

const config = loadNotaryConfig();
const logger = createLogger('notary', config.LOG_LEVEL);
const notary = createNotary(config, logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'notary stopping');
  await notary.stop();
  logger.info({ stats: notary.stats() }, 'notary stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await notary.start();
logger.info({ brokers: config.KAFKA_BROKERS, group: config.NOTARY_GROUP_ID }, 'notary running');
// A line on stdout that supervisors and tests can wait for.
process.stdout.write('notary ready\n');
