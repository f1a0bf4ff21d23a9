import path from 'node:path';
import { createEmitter } from '@probity/agent';
import { evidenceTopics } from '@probity/kafka';
import { createLogger } from '@probity/logger';
import { openWarehouse, runMigrations } from '@probity/warehouse';
import { loadSchedulerConfig } from './config.js';
import { createScheduler } from './create-scheduler.js';
import { loadStudies } from './definitions/load-studies.js';
import { redisOptionsFromUrl } from './redis-connection.js';

// Standalone scheduler (against a ClickHouse server). Locally, the all-in-one
// process embeds createScheduler instead, since chDB binds one process.
const config = loadSchedulerConfig();
const logger = createLogger('scheduler', config.LOG_LEVEL);
const studies = await loadStudies(config.PROBITY_STUDIES_DIR);
const warehouse = await openWarehouse({ clickhouseUrl: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE, dataDir: path.join(config.PROBITY_DATA_DIR, 'chdb'), logger });
// Idempotent (IF NOT EXISTS): a scheduler started before the sink still finds its tables.
await runMigrations(warehouse, { database: config.CLICKHOUSE_DATABASE });
const emitter = await createEmitter({ name: 'scheduler', dataDir: config.PROBITY_DATA_DIR, brokers: config.KAFKA_BROKERS, topic: evidenceTopics(config.PROBITY_TOPIC_NAMESPACE).raw, logger });
const scheduler = createScheduler({
  connection: redisOptionsFromUrl(config.REDIS_URL),
  queueName: config.PROBITY_SCHEDULER_QUEUE,
  warehouse,
  emitter,
  studies,
  logger,
  worker: { concurrency: config.PROBITY_SCHEDULER_CONCURRENCY },
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'scheduler stopping');
  await scheduler.stop();
  await emitter.close({ drainTimeoutMs: 5_000 });
  await warehouse.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await scheduler.start();
logger.info({ studies: studies.map((s) => s.id), queue: config.PROBITY_SCHEDULER_QUEUE }, 'scheduler running');
process.stdout.write('scheduler ready\n');
