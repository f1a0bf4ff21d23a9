import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher, type Transport } from './dispatcher.js';
import { SegmentSpool } from './spool/segment-spool.js';
import { readFrame, type SpooledMessage } from './spool/frame.js';

/** A broker stand-in: records every batch, can be "down" (retriable) or refuse given keys for good. */
class FakeTransport implements Transport {
  batches: string[][] = [];
  down = false;
  refuse = new Set<string>();
  attemptsWhileDown = 0;
  closed = false;

  async send(messages: readonly SpooledMessage[]): Promise<void> {
    await Promise.resolve();
    if (this.down) {
      this.attemptsWhileDown += 1;
      throw Object.assign(new Error('ECONNREFUSED'), { retriable: true });
    }
    const refused = messages.find((m) => this.refuse.has(m.key));
    if (refused) throw Object.assign(new Error(`too large: ${refused.key}`), { retriable: false });
    this.batches.push(messages.map((m) => m.key));
  }

  get delivered(): string[] {
    return this.batches.flat();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const message = (key: string): SpooledMessage => ({ key, value: Buffer.from(key), headers: { 'probity-tenant': 't' } });

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Dispatcher', () => {
  let dir: string;
  let spool: SegmentSpool;
  let transport: FakeTransport;
  const make = (options: Partial<ConstructorParameters<typeof Dispatcher>[0]> = {}) =>
    new Dispatcher({ transport, spool, lingerMs: 5, maxBatchMessages: 10, replayInitialBackoffMs: 10, replayMaxBackoffMs: 40, ...options });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'probity-dispatch-'));
    spool = await SegmentSpool.open(dir);
    transport = new FakeTransport();
  });
  afterEach(async () => {
    await spool.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('batches a burst into sends of at most maxBatchMessages, in order', async () => {
    const dispatcher = make();
    const keys = Array.from({ length: 25 }, (_, i) => `m${i}`);
    const results = await Promise.all(keys.map((k) => dispatcher.enqueue(message(k))));
    expect(results.every((r) => r === 'kafka')).toBe(true);
    expect(transport.delivered).toEqual(keys);
    expect(transport.batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(dispatcher.stats()).toMatchObject({ emitted: 25, acked: 25, spooled: 0, queueDepth: 0, mode: 'kafka' });
    await dispatcher.close();
    expect(transport.closed).toBe(true);
  });

  it('waits lingerMs for company when idle, then sends a partial batch', async () => {
    const dispatcher = make({ lingerMs: 30 });
    const first = dispatcher.enqueue(message('a'));
    await new Promise((r) => setTimeout(r, 10));
    const second = dispatcher.enqueue(message('b'));
    await Promise.all([first, second]);
    expect(transport.batches).toEqual([['a', 'b']]);
    await dispatcher.close();
  });

  it('spools while the broker is down, keeps order, and replays once it is back', async () => {
    const dispatcher = make();
    transport.down = true;
    const early = await Promise.all(['a', 'b', 'c'].map((k) => dispatcher.enqueue(message(k))));
    expect(early).toEqual(['spool', 'spool', 'spool']);
    expect(dispatcher.stats().mode).toBe('spool');
    await until(() => transport.attemptsWhileDown >= 2);

    // Still spooling: d goes behind a, b, c.
    expect(await dispatcher.enqueue(message('d'))).toBe('spool');
    transport.down = false;
    await until(() => dispatcher.stats().mode === 'kafka');
    expect(await dispatcher.enqueue(message('e'))).toBe('kafka');

    expect(transport.delivered).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(dispatcher.stats()).toMatchObject({ spooled: 4, replayed: 4, acked: 1, failed: 0 });
    expect(spool.isEmpty()).toBe(true);
    await dispatcher.close();
  });

  it('with whenUnavailable reject, fails a batch with the retriable KAFKA_UNAVAILABLE and spools nothing', async () => {
    const dispatcher = make({ whenUnavailable: 'reject' });
    transport.down = true;
    const results = await Promise.allSettled(['a', 'b'].map((k) => dispatcher.enqueue(message(k))));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retriable: true });
    }
    expect(dispatcher.stats()).toMatchObject({ mode: 'kafka', spooled: 0, failed: 2 });
    expect(spool.isEmpty()).toBe(true);
    await expect(dispatcher.flush()).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE' });
    // The next batch tries Kafka again.
    transport.down = false;
    expect(await dispatcher.enqueue(message('c'))).toBe('kafka');
    expect(transport.delivered).toEqual(['c']);
    await dispatcher.close();
  });

  it('replays a spool left by an earlier run before anything new', async () => {
    await spool.append([message('old1'), message('old2')]);
    const dispatcher = make();
    // Durable either way (spooled behind the old records, or sent after they were replayed); the order is what matters.
    expect(['spool', 'kafka']).toContain(await dispatcher.enqueue(message('new')));
    await until(() => dispatcher.stats().mode === 'kafka');
    expect(transport.delivered).toEqual(['old1', 'old2', 'new']);
    await dispatcher.close();
  });

  it('fails only the record Kafka refuses for good, not its batch neighbours', async () => {
    const dispatcher = make();
    transport.refuse.add('bad');
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((k) => dispatcher.enqueue(message(k))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'KAFKA_FAILED' });
    expect(transport.delivered).toEqual(['a', 'c']);
    await expect(dispatcher.flush()).rejects.toMatchObject({ code: 'KAFKA_FAILED' });
    // The failure is reported once; the next flush is clean.
    await dispatcher.flush();
    expect(dispatcher.stats().failed).toBe(1);
    await dispatcher.close();
  });

  it('quarantines a spooled record Kafka refuses for good instead of retrying it forever', async () => {
    await spool.append([message('a'), message('bad'), message('c')]);
    transport.refuse.add('bad');
    const dispatcher = make();
    await until(() => dispatcher.stats().mode === 'kafka');
    expect(transport.delivered).toEqual(['a', 'c']);
    expect(dispatcher.stats().failed).toBe(1);
    const kept = readFrame(await readFile(path.join(dir, 'rejected.spool')), 0);
    expect(kept).toMatchObject({ kind: 'frame', message: { key: 'bad' } });
    await dispatcher.close();
  });

  it('flush resolves only when everything queued before it is durable', async () => {
    const dispatcher = make({ lingerMs: 1000 });
    dispatcher.enqueue(message('x'));
    dispatcher.enqueue(message('y'));
    await dispatcher.flush();
    expect(transport.delivered).toEqual(['x', 'y']);
    expect(dispatcher.stats().queueDepth).toBe(0);
    await dispatcher.close();
  });
});
