import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommonConfig } from '@probity/config';
import { createScheduler, redisOptionsFromUrl, type StudyRunReturn } from '@probity/scheduler';
import type { Warehouse } from '@probity/warehouse';
import { QueueEvents } from 'bullmq';
import { uniqueName } from '../helpers/index.js';
import { DAY, driftStudy, insertGeneratedInference, openTestWarehouse, recordingSink } from './fixtures.js';

const REFERENCE_ROWS = 2_000_000;
const CURRENT_ROWS = 8_000_000;
const DUE = Date.UTC(2025, 2, 10);
const LOCK_MS = 2_500;
const tenant = uniqueName('t').slice(0, 40);
let warehouse: Warehouse;
let closeWarehouse: () => Promise<void>;

beforeAll(async () => {
  ({ warehouse, close: closeWarehouse } = await openTestWarehouse());
  const started = Date.now();
  await insertGeneratedInference(warehouse, { tenant, modelId: 'big', modelVersion: '1.0.0', from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 8), rows: REFERENCE_ROWS, mean: 0 });
  await insertGeneratedInference(warehouse, { tenant, modelId: 'big', modelVersion: '1.1.0', from: DUE - 7 * DAY, to: DUE, rows: CURRENT_ROWS, mean: 1.0 });
  console.log(`inserted ${REFERENCE_ROWS + CURRENT_ROWS} rows in ${Date.now() - started} ms`);
}, 600_000);

afterAll(async () => {
  await closeWarehouse?.();
});

describe('a 10^7-sample drift study', () => {
  // The lock (production: 30 s) must be shorter than the run, or the test shows nothing: a 4 s lock outlasted a 3.5 s
  // run on a quiet machine; a 2 s lock failed once ("job stalled") in a run ~20% slower than usual, cause not
  // observed. 2.5 s sits between; that the computation runs off the event loop is held by the delay bound below.
  it('completes under a 2.5 s lock without stalling: the computation runs off the event loop', async () => {
    const connection = redisOptionsFromUrl(loadCommonConfig().REDIS_URL);
    const queueName = uniqueName('test');
    const sink = recordingSink();
    const study = driftStudy({
      id: 'big-drift',
      scope: { tenant, model_id: 'big' },
      schedule: { cron: '0 0 1 1 *' },
      features: ['x'],
      methods: ['psi', 'ks', 'wasserstein', 'js', 'chi2'],
      reference: { model_version: '1.0.0', from: '2025-01-01T00:00:00Z', to: '2025-01-08T00:00:00Z', minimum_records: 1000 },
    });
    const scheduler = createScheduler({ connection, queueName, warehouse, sink, studies: [study], worker: { lockDuration: LOCK_MS, stalledInterval: LOCK_MS / 2, maxStalledCount: 0 } });
    const events = new QueueEvents(queueName, { connection });
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    const lag = monitorEventLoopDelay({ resolution: 10 });
    try {
      await scheduler.start();
      await events.waitUntilReady();
      lag.enable();
      const started = Date.now();
      const job = await scheduler.runNow('big-drift', DUE);
      const ret = (await job.waitUntilFinished(events, 300_000)) as StudyRunReturn;
      const elapsed = Date.now() - started;
      lag.disable();
      const done = (await scheduler.queue.getJob(job.id!))!;
      console.log({ elapsedMs: elapsed, maxEventLoopDelayMs: lag.max / 1e6, p99EventLoopDelayMs: lag.percentile(99) / 1e6, verdict: ret.verdict });
      // The run took several lock durations, yet never lost its lock.
      expect(elapsed).toBeGreaterThan(LOCK_MS);
      expect(stalled).toEqual([]);
      expect(done.attemptsStarted).toBe(1);
      expect(done.stalledCounter).toBe(0);
      expect(lag.max / 1e6).toBeLessThan(1_500);
      const result = sink.results[0]!;
      expect(result.current_window.sample_size).toBe(CURRENT_ROWS);
      expect(result.reference_window.sample_size).toBe(REFERENCE_ROWS);
      expect(result.verdict).toBe('CRITICAL');
      expect(result.results.find((f) => f.method === 'ks')!.statistic).toBeGreaterThan(0.3);
    } finally {
      lag.disable();
      await events.close();
      await scheduler.queue.obliterate({ force: true }).catch(() => undefined);
      await scheduler.stop();
    }
  });
});
