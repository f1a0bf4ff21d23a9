import type { StudyDefinition } from '@probity/catalog';
import type { Warehouse } from '@probity/warehouse';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { DriftComputeInput, DriftComputeOutput } from './drift/compute-drift.js';
import { SchedulerError } from './errors.js';
import { createProcessor } from './process-job.js';
import { enqueueStudyRun } from './enqueue-run.js';
import { DEFAULT_QUEUE_NAME } from './queue-catalog.js';
import { emitterResultSink, type RecordEmitter, type ResultSink } from './result/result-sink.js';
import { syncJobSchedulers, type SyncOutcome } from './schedule/sync-schedulers.js';

/** The few logger methods the scheduler uses (a pino logger fits). */
export interface SchedulerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerSettings {
  /** Runs processed at once by this process. @defaultValue 1 */
  concurrency?: number;
  /** How long a job's lock lasts without renewal (renewed every half of it). @defaultValue 30000 */
  lockDuration?: number;
  /** How often stalled jobs (their worker died) are looked for. @defaultValue 30000 */
  stalledInterval?: number;
  /** Times a job may stall before it fails. @defaultValue 2 */
  maxStalledCount?: number;
}

export interface SchedulerOptions {
  /** Redis for BullMQ: ioredis options (see redisOptionsFromUrl) or a client. */
  connection: ConnectionOptions;
  /** @defaultValue `probity-studies` */
  queueName?: string;
  /** BullMQ key prefix. @defaultValue `bull` */
  prefix?: string;
  warehouse: Warehouse;
  /** Where results go; or give `emitter` (an @probity/agent emitter) and it is wrapped. */
  sink?: ResultSink;
  emitter?: RecordEmitter;
  studies: readonly StudyDefinition[];
  logger?: SchedulerLogger;
  worker?: WorkerSettings;
  /** Process runs in this process. A process may only keep the schedules. @defaultValue true */
  runWorker?: boolean;
  /** Replace the worker-thread drift computation (tests of the pure path). */
  computeDrift?: (input: DriftComputeInput) => Promise<DriftComputeOutput>;
}

export interface Scheduler {
  readonly queue: Queue;
  readonly studies: ReadonlyMap<string, StudyDefinition>;
  /** Syncs the job schedulers with the definitions, then starts the worker. */
  start(): Promise<SyncOutcome>;
  /** Adds a run of a study due now (seconds precision); returns its job. Same second → same job. */
  runNow(studyId: string, dueMillis?: number): Promise<Job>;
  /** Lets running jobs finish, then closes the worker and the queue. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The study scheduler as a library: the all-in-one local process embeds it
 * next to the sink and the API (chDB allows one data directory per
 * process), `main.ts` runs it alone against a ClickHouse server.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const sink = options.sink ?? (options.emitter ? emitterResultSink(options.emitter) : undefined);
  if (!sink) throw new TypeError('createScheduler needs a sink or an emitter');
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const base = { connection: options.connection, ...(options.prefix ? { prefix: options.prefix } : {}) };
  const queue = new Queue(queueName, base);
  // Without a listener an 'error' (Redis down) would be an unhandled event; ioredis reconnects on its own.
  queue.on('error', (err) => options.logger?.warn({ err: err.message }, 'study queue error'));
  const studies = new Map(options.studies.map((s) => [s.id, s]));
  const log = options.logger;
  let worker: Worker | undefined;
  let stopped = false;

  return {
    queue,
    studies,
    async start() {
      const outcome = await syncJobSchedulers(queue, options.studies);
      log?.info({ queue: queueName, studies: outcome.upserted, removed: outcome.removed }, 'study schedules synced');
      if (options.runWorker !== false) {
        const w = options.worker ?? {};
        worker = new Worker(queueName, createProcessor({ queue, warehouse: options.warehouse, sink, studies, ...(options.computeDrift ? { computeDrift: options.computeDrift } : {}) }), {
          ...base,
          concurrency: w.concurrency ?? 1,
          lockDuration: w.lockDuration ?? 30_000,
          stalledInterval: w.stalledInterval ?? 30_000,
          maxStalledCount: w.maxStalledCount ?? 2,
        });
        worker.on('failed', (job, err) => log?.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'study run failed'));
        worker.on('completed', (job) => log?.info({ jobId: job.id, verdict: (job.returnvalue as { verdict?: string } | undefined)?.verdict }, 'study run completed'));
        worker.on('error', (err) => log?.error({ err: err.message }, 'study worker error'));
        await worker.waitUntilReady();
      }
      return outcome;
    },
    async runNow(studyId, dueMillis) {
      const study = studies.get(studyId);
      if (!study) throw new SchedulerError('STUDY_NOT_FOUND', `no study ${studyId} is defined`, { details: { studyId } });
      return enqueueStudyRun(queue, study, dueMillis);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await worker?.close();
      await queue.close();
    },
  };
}
