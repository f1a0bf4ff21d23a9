import { createEmitter } from '@probity/agent';
import { evidenceTopics } from '@probity/kafka';
import type { Warehouse } from '@probity/warehouse';
import type { SchedulerConfig } from './config.js';
import { createScheduler, type Scheduler, type SchedulerLogger } from './create-scheduler.js';
import { loadStudies } from './definitions/load-studies.js';
import { redisOptionsFromUrl } from './redis-connection.js';

export interface SchedulerService {
  scheduler: Scheduler;
  studyIds: string[];
  stop(): Promise<void>;
}

type ServiceConfig = Pick<
  SchedulerConfig,
  'PROBITY_STUDIES_DIR' | 'PROBITY_DATA_DIR' | 'KAFKA_BROKERS' | 'PROBITY_TOPIC_NAMESPACE' | 'PROBITY_EMIT_PACK_BYTES' | 'REDIS_URL' | 'PROBITY_SCHEDULER_QUEUE' | 'PROBITY_SCHEDULER_CONCURRENCY'
>;

/**
 * Load the study definitions, sync their job schedulers and start the
 * worker; results are emitted through the agent SDK to the raw topic. Used by
 * the standalone main and by the local all-in-one process.
 */
export async function startSchedulerService(config: ServiceConfig, warehouse: Warehouse, logger: SchedulerLogger & { info(obj: object, msg?: string): void }): Promise<SchedulerService> {
  const studies = await loadStudies(config.PROBITY_STUDIES_DIR);
  const emitter = await createEmitter({ name: 'scheduler', dataDir: config.PROBITY_DATA_DIR, brokers: config.KAFKA_BROKERS, topic: evidenceTopics(config.PROBITY_TOPIC_NAMESPACE).raw, maxPackBytes: config.PROBITY_EMIT_PACK_BYTES, logger });
  const scheduler = createScheduler({
    connection: redisOptionsFromUrl(config.REDIS_URL),
    queueName: config.PROBITY_SCHEDULER_QUEUE,
    warehouse,
    emitter,
    studies,
    logger,
    worker: { concurrency: config.PROBITY_SCHEDULER_CONCURRENCY },
  });
  const synced = await scheduler.start();
  logger.info({ studies: studies.map((s) => s.id), queue: config.PROBITY_SCHEDULER_QUEUE, synced }, 'scheduler running');
  return {
    scheduler,
    studyIds: studies.map((s) => s.id),
    async stop() {
      await scheduler.stop();
      await emitter.close({ drainTimeoutMs: 5_000 });
    },
  };
}
