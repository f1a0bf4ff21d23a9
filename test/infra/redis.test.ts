import { afterAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadCommonConfig } from '@probity/config';
import { uniqueName } from '../helpers/index.js';

const redisUrl = loadCommonConfig().REDIS_URL;
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** BullMQ needs maxRetriesPerRequest: null on the connections its workers block on. */
function connection(): Redis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  closers.push(() => redis.quit());
  return redis;
}

describe('local Redis for BullMQ', () => {
  it('runs a job through Queue, Worker and QueueEvents', async () => {
    const name = uniqueName('test-queue');
    const queue = new Queue<{ a: number; b: number }, number>(name, { connection: connection() });
    const events = new QueueEvents(name, { connection: connection() });
    const worker = new Worker<{ a: number; b: number }, number>(name, async (job) => job.data.a + job.data.b, {
      connection: connection(),
    });
    closers.push(
      () => queue.obliterate({ force: true }).then(() => queue.close()),
      () => events.close(),
      () => worker.close(),
    );
    await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);

    const job = await queue.add('sum', { a: 2, b: 40 });
    const result = await job.waitUntilFinished(events, 30_000);
    expect(result).toBe(42);
    const finished = await queue.getJob(job.id!);
    expect(finished?.returnvalue).toBe(42);
    expect(await finished?.getState()).toBe('completed');
  });

  it('runs with the settings BullMQ jobs depend on (noeviction, append-only file)', async () => {
    const redis = connection();
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await redis.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
  });
});
