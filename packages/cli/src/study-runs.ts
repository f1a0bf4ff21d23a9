import type { StudyDefinition } from '@probity/catalog';
import type { StudyRunReturn } from '@probity/scheduler';
import { CliError } from './command.js';

/** The scheduler's queue as the CLI uses it: fails fast when Redis is not there. */
export interface StudyQueue {
  /** Enqueue a run (idempotent per study version and due time) and wait for a scheduler worker to finish it. */
  run(study: StudyDefinition, dueMillis: number | undefined, timeoutMs: number, onEnqueued?: (jobId: string) => void): Promise<StudyRunReturn>;
  queue: import('bullmq').Queue;
  close(): Promise<void>;
}

/**
 * Opens the BullMQ queue the scheduler works on. Used by `probity studies`
 * and `probity demo`; it never opens the warehouse (in local mode the
 * all-in-one process holds chDB), so runs need a running scheduler.
 */
export async function openStudyQueue(config: { REDIS_URL: string; PROBITY_SCHEDULER_QUEUE: string }): Promise<StudyQueue> {
  const { enqueueStudyRun, redisOptionsFromUrl } = await import('@probity/scheduler');
  const { Queue, QueueEvents } = await import('bullmq');
  // Fail fast instead of waiting for Redis forever: the CLI is interactive.
  const connection = { ...redisOptionsFromUrl(config.REDIS_URL), maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false, lazyConnect: false };
  const queue = new Queue(config.PROBITY_SCHEDULER_QUEUE, { connection });
  queue.on('error', () => undefined);
  let events: import('bullmq').QueueEvents | undefined;
  const close = async () => {
    await events?.close();
    await queue.close();
  };
  try {
    await queue.waitUntilReady();
  } catch (err) {
    await close();
    throw new CliError('CLI_FAILED', `cannot reach Redis at ${config.REDIS_URL} (${(err as Error).message}); start it with \`probity up\` or \`bash infra/up.sh\``);
  }
  return {
    queue,
    close,
    async run(study, dueMillis, timeoutMs, onEnqueued) {
      if (!events) {
        // QueueEvents blocks on a stream read: BullMQ wants no per-request retry limit there (it warns otherwise).
        events = new QueueEvents(config.PROBITY_SCHEDULER_QUEUE, { connection: { ...connection, maxRetriesPerRequest: null } });
        events.on('error', () => undefined);
        await events.waitUntilReady();
      }
      const job = await enqueueStudyRun(queue, study, dueMillis);
      onEnqueued?.(job.id!);
      try {
        return (await job.waitUntilFinished(events, timeoutMs)) as StudyRunReturn;
      } catch (err) {
        const message = (err as Error).message;
        if (/timed out/i.test(message)) {
          throw new CliError('CLI_FAILED', `no result within ${Math.round(timeoutMs / 1000)} s: is a scheduler running on queue ${config.PROBITY_SCHEDULER_QUEUE}? The run stays queued as ${job.id}.`);
        }
        throw new CliError('CLI_FAILED', `run ${job.id} failed: ${message}`);
      }
    },
  };
}
