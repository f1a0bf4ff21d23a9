import { describe, expect, it } from 'vitest';
import { ks2samp } from './ks/ks2samp.js';
import { psi } from './psi.js';
import { runInWorker } from './worker.js';

describe('runInWorker', () => {
  it('returns the same KS and PSI results as the main thread', async () => {
    const a = Float64Array.from({ length: 2000 }, (_, i) => Math.sin(i) * 3);
    const b = Float64Array.from({ length: 1500 }, (_, i) => Math.cos(i * 1.3) * 3 + 0.2);
    await expect(runInWorker('ks2samp', [a, b, { alternative: 'less' }])).resolves.toEqual(ks2samp(a, b, { alternative: 'less' }));
    await expect(runInWorker('psi', [a, b])).resolves.toEqual(psi(a, b));
  });

  it('transfers buffers when asked, detaching the caller arrays', async () => {
    const a = Float64Array.from([1, 2, 3, 4]);
    const b = Float64Array.from([5, 6, 7]);
    const result = await runInWorker('ks2samp', [a, b], { transfer: true });
    expect(result.statistic).toBe(1);
    expect(a.length).toBe(0);
  });

  it('re-throws worker errors with their StatsError code', async () => {
    await expect(runInWorker('ks2samp', [[], [1]])).rejects.toMatchObject({ code: 'INVALID_INPUT', name: 'StatsError' });
  });
});
