import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommonConfig } from '@probity/config';
import { createScheduler, redisOptionsFromUrl, type Scheduler } from '@probity/scheduler';
import type { Warehouse } from '@probity/warehouse';
import { Queue } from 'bullmq';
import { infraScript, repoRoot, uniqueName, waitFor } from '../helpers/index.js';
import { calibrationStudy, openTestWarehouse, recordingSink } from './fixtures.js';

const redisUrl = loadCommonConfig().REDIS_URL;
const connection = redisOptionsFromUrl(redisUrl);
let warehouse: Warehouse;
let closeWarehouse: () => Promise<void>;

// A cheap study (no data: INSUFFICIENT_DATA in milliseconds) due every second.
const everySecond = (id: string) => calibrationStudy({ id, scope: { tenant: 'demo', model_id: id }, schedule: { every: '1s' } });

/** Completed runs per due time, from the queue's kept jobs. */
async function completedPerDue(queue: Queue): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const job of await queue.getJobs(['completed'], 0, -1)) {
    const due = (job.returnvalue as { dueMillis: number }).dueMillis;
    counts.set(due, (counts.get(due) ?? 0) + 1);
  }
  return counts;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

beforeAll(async () => {
  ({ warehouse, close: closeWarehouse } = await openTestWarehouse());
});

afterAll(async () => {
  await closeWarehouse?.();
});

describe('scheduler faults: each due run happens exactly once', () => {
  it('with two schedulers at once, and after both restart', async () => {
    const queueName = uniqueName('test');
    const sink = recordingSink();
    const studies = [everySecond('every-second')];
    const make = () => createScheduler({ connection, queueName, warehouse, sink, studies });
    const queue = new Queue(queueName, { connection });
    let running: Scheduler[] = [make(), make()];
    try {
      await Promise.all(running.map((s) => s.start()));
      await waitFor(() => sink.results.length >= 5, { timeoutMs: 30_000, message: '5 runs with two schedulers' });
      await Promise.all(running.map((s) => s.stop()));
      const before = sink.results.length;
      running = [make(), make()];
      await Promise.all(running.map((s) => s.start()));
      await waitFor(() => sink.results.length >= before + 4, { timeoutMs: 30_000, message: '4 more runs after the restart' });
      await Promise.all(running.map((s) => s.stop()));

      const perDue = await completedPerDue(queue);
      const perRun = countBy(sink.results, (r) => r.run_id);
      console.log({ dueTimes: perDue.size, published: sink.results.length });
      expect(perDue.size).toBeGreaterThanOrEqual(9);
      expect([...perDue.values()].every((n) => n === 1)).toBe(true);
      expect([...perRun.values()].every((n) => n === 1)).toBe(true);
      expect(perRun.size).toBe(perDue.size);
      // No two runs closer than the period: a due time is never run twice under shifted millis either.
      const dues = [...perDue.keys()].sort((a, b) => a - b);
      expect(Math.min(...dues.slice(1).map((d, i) => d - dues[i]!))).toBeGreaterThanOrEqual(1000);
    } finally {
      await Promise.all(running.map((s) => s.stop()));
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });

  it('through a Redis restart', async () => {
    const queueName = uniqueName('test');
    const sink = recordingSink();
    const scheduler = createScheduler({ connection, queueName, warehouse, sink, studies: [everySecond('through-restart')] });
    const queue = new Queue(queueName, { connection });
    queue.on('error', () => undefined);
    let redisStopped = false;
    try {
      await scheduler.start();
      await waitFor(() => sink.results.length >= 2, { timeoutMs: 30_000, message: 'runs before the restart' });
      redisStopped = true;
      const restart = await infraScript('redis.sh', ['restart'], { timeoutMs: 60_000 });
      expect(restart.code, restart.stderr).toBe(0);
      redisStopped = false;
      const restartedAt = Date.now();
      await waitFor(() => sink.results.filter((r) => Date.parse(r.occurred_at) > restartedAt).length >= 3, { timeoutMs: 60_000, message: 'runs after the restart' });
      await scheduler.stop();
      const perDue = await completedPerDue(queue);
      console.log({ dueTimes: perDue.size, published: sink.results.length });
      expect([...perDue.values()].every((n) => n === 1)).toBe(true);
      expect([...countBy(sink.results, (r) => r.run_id).values()].every((n) => n === 1)).toBe(true);
    } finally {
      if (redisStopped) await infraScript('redis.sh', ['start'], { timeoutMs: 60_000 });
      await scheduler.stop();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });

  it('when the worker is killed mid-run: the stalled run restarts and completes once', async () => {
    const queueName = uniqueName('test');
    const sink = recordingSink();
    const study = calibrationStudy({ id: 'killed', scope: { tenant: 'demo', model_id: 'killed' }, schedule: { cron: '0 0 1 1 *' } });
    const producer = createScheduler({ connection, queueName, warehouse, sink, studies: [study], runWorker: false });
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/scheduler/hanging-worker.ts', queueName, redisUrl], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let recovering: Scheduler | undefined;
    try {
      await producer.start();
      await waitFor(() => out.includes('ready'), { timeoutMs: 30_000, message: 'the child worker' });
      const due = Date.UTC(2025, 5, 1);
      const job = await producer.runNow('killed', due);
      await waitFor(() => out.includes(`active ${job.id}`), { timeoutMs: 30_000, message: 'the child to take the run' });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      recovering = createScheduler({ connection, queueName, warehouse, sink, studies: [study], worker: { lockDuration: 2_000, stalledInterval: 1_000 } });
      await recovering.start();
      const finished = await waitFor(async () => ((await producer.queue.getJob(job.id!))?.finishedOn ? producer.queue.getJob(job.id!) : undefined), {
        timeoutMs: 30_000,
        message: 'the recovered run to finish',
      });
      expect(await finished!.getState()).toBe('completed');
      expect(finished!.attemptsStarted).toBe(2);
      expect(finished!.returnvalue).toMatchObject({ dueMillis: due, verdict: 'INSUFFICIENT_DATA' });
      expect(sink.results.map((r) => r.run_id)).toEqual(['killed@1@2025-06-01T00:00:00.000Z']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await recovering?.stop();
      await producer.stop();
      const cleanup = new Queue(queueName, { connection });
      await cleanup.obliterate({ force: true }).catch(() => undefined);
      await cleanup.close();
    }
  });
});
