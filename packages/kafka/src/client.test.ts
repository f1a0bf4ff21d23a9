import { describe, expect, it } from 'vitest';
import { producerRetry, transactionalRetry } from './client.js';

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
});
