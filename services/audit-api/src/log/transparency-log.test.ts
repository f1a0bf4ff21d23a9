import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Warehouse } from '@probity/warehouse';
import { TransparencyLog } from './transparency-log.js';

/** A warehouse whose checkpoints_v1 answers with a growing size and counts the reads. */
function fakeWarehouse() {
  let size = 10;
  const reads = { count: 0 };
  const warehouse = {
    async query() {
      reads.count += 1;
      return [{ shard: 0, size: size++, root_hash: 'ab', signed_note: 'note', created_at: '2026-11-24 00:00:00' }];
    },
  } as unknown as Warehouse;
  return { warehouse, reads };
}

afterEach(() => vi.useRealTimers());

describe('TransparencyLog.latestCheckpoint', () => {
  it('reuses a checkpoint for the TTL, serves it while refreshing for one more TTL, then waits for a fresh one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const { warehouse, reads } = fakeWarehouse();
    const log = new TransparencyLog(warehouse, 1000);

    expect((await log.latestCheckpoint(0))?.size).toBe(10);
    vi.setSystemTime(999);
    expect((await log.latestCheckpoint(0))?.size).toBe(10);
    expect(reads.count).toBe(1);

    // Stale but within 2×TTL: the cached answer now, one background read for everyone.
    vi.setSystemTime(1500);
    const [a, b] = await Promise.all([log.latestCheckpoint(0), log.latestCheckpoint(0)]);
    expect([a?.size, b?.size]).toEqual([10, 10]);
    await vi.waitFor(() => expect(reads.count).toBe(2));
    expect((await log.latestCheckpoint(0))?.size).toBe(11);

    // Older than 2×TTL: the caller waits for the read.
    vi.setSystemTime(5000);
    expect((await log.latestCheckpoint(0))?.size).toBe(12);
    expect(reads.count).toBe(3);
  });

  it('reads every time with a TTL of 0', async () => {
    const { warehouse, reads } = fakeWarehouse();
    const log = new TransparencyLog(warehouse, 0);
    expect((await log.latestCheckpoint(0))?.size).toBe(10);
    expect((await log.latestCheckpoint(0))?.size).toBe(11);
    expect(reads.count).toBe(2);
  });

  it('does not leak a failed background refresh; the next blocking read reports it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    let fail = false;
    const warehouse = {
      async query() {
        if (fail) throw new Error('warehouse down');
        return [{ shard: 0, size: 1, root_hash: 'ab', signed_note: 'n', created_at: '2026-11-24 00:00:00' }];
      },
    } as unknown as Warehouse;
    const log = new TransparencyLog(warehouse, 1000);
    await log.latestCheckpoint(0);
    fail = true;
    vi.setSystemTime(1500);
    expect((await log.latestCheckpoint(0))?.size).toBe(1);
    vi.setSystemTime(2500);
    await expect(log.latestCheckpoint(0)).rejects.toThrow('warehouse down');
  });
});
