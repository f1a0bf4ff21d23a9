import { describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createKafka, producerRetry, transactionalRetry } from './client.js';

/** The shortest total time kafkajs keeps retrying: each wait is min(initial × 2^n, max), less its 20% randomisation. */
function shortestRetryBudgetMs(retry: { retries?: number; initialRetryTime?: number; maxRetryTime?: number }): number {
  let total = 0;
  for (let n = 0; n < (retry.retries ?? 5); n++) total += Math.min((retry.initialRetryTime ?? 300) * 2 ** n, retry.maxRetryTime ?? 30_000) * 0.8;
  return total;
}

describe('retry settings', () => {
  it('retries a transaction after CONCURRENT_TRANSACTIONS within tens of milliseconds, as the Java client does', () => {
    expect(transactionalRetry.initialRetryTime).toBeLessThanOrEqual(25);
  });

  it('still rides out a broker outage far longer than the 15 s FACTS.md measured', () => {
    expect(shortestRetryBudgetMs(transactionalRetry)).toBeGreaterThan(60_000);
    expect(shortestRetryBudgetMs(producerRetry)).toBeGreaterThan(60_000);
  });

  it('keeps retried CONCURRENT_TRANSACTIONS responses and rebalance notices out of the error log, and other errors in it', () => {
    const logged: string[] = [];
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'log-test', onLog: (level, message) => logged.push(`${level} ${message}`) });
    const concurrent = 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    kafka.logger().error('Response AddPartitionsToTxn(key: 24, version: 1)', { error: concurrent });
    kafka.logger().error(`Failed to send messages: ${concurrent}`, { retryCount: 0 });
    kafka.logger().error('Response Produce(key: 0, version: 7)', { error: 'This server is not the leader for that topic-partition' });
    // A member joining or leaving: kafkajs rejoins by itself.
    kafka.logger().error('Response SyncGroup(key: 14, version: 3)', { error: 'The group is rebalancing, so a rejoin is needed' });
    kafka.logger().warn('The group is rebalancing, re-joining', { error: 'The group is rebalancing, so a rejoin is needed' });
    // A consumer that gave up rejoining is a real problem.
    kafka.logger().error('Crash: KafkaJSNumberOfRetriesExceeded: The group is rebalancing, so a rejoin is needed', { groupId: 'g' });
    expect(logged).toEqual(['error Response Produce(key: 0, version: 7)', 'error Crash: KafkaJSNumberOfRetriesExceeded: The group is rebalancing, so a rejoin is needed']);
  });
});

describe('gzip codec', () => {
  it('is registered for every client of this package and compresses on the calling thread, readable by zlib', async () => {
    createKafka({ brokers: ['127.0.0.1:1'], clientId: 'codec-test' });
    const { default: kafkajs } = await import('kafkajs');
    const codec = kafkajs.CompressionCodecs[kafkajs.CompressionTypes.GZIP]!();
    const payload = Buffer.from('evidence '.repeat(1000));
    const compressed = await codec.compress({ buffer: payload } as never);
    expect(compressed.length).toBeLessThan(payload.length / 10);
    expect(gunzipSync(compressed).equals(payload)).toBe(true);
    expect((await codec.decompress(gzipSync(payload))).equals(payload)).toBe(true);
    // Synchronous: the promise is already settled when compress returns (no thread-pool hop).
    let settled = false;
    void codec.compress({ buffer: payload } as never).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(true);
  });
});
