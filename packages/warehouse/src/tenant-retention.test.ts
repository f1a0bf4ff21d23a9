import { describe, expect, it } from 'vitest';
import { TenantRetention } from './tenant-retention.js';
import type { Warehouse } from './warehouse.js';

/** A warehouse that answers the tenants query from `rows`, failing the first `failures` times with `error`. */
function fakeWarehouse(state: { rows: { tenant: string; retention_years: number | string }[]; failures: number; error: Error & { retriable?: boolean } }): Warehouse {
  return {
    query: async () => {
      if (state.failures > 0) {
        state.failures -= 1;
        throw state.error;
      }
      return state.rows;
    },
  } as unknown as Warehouse;
}

describe('TenantRetention', () => {
  it('gives each tenant its setting and the default of 7 to the rest, and picks a change up on refresh', async () => {
    const state: Parameters<typeof fakeWarehouse>[0] = { rows: [{ tenant: 'acme', retention_years: '10' }], failures: 0, error: new Error('x') };
    const retention = new TenantRetention(fakeWarehouse(state), { refreshMs: 0 });
    await retention.start();
    expect(retention.yearsFor('acme')).toBe(10);
    expect(retention.yearsFor('globex')).toBe(7);
    state.rows = [{ tenant: 'acme', retention_years: 3 }];
    await retention.refresh();
    expect(retention.yearsFor('acme')).toBe(3);
    retention.stop();
  });

  it('waits at start while the warehouse is unavailable instead of running on the default', async () => {
    const state = { rows: [{ tenant: 'acme', retention_years: 12 }], failures: 2, error: Object.assign(new Error('down'), { retriable: true }) };
    const retention = new TenantRetention(fakeWarehouse(state), { refreshMs: 0, retryInitialMs: 1 });
    await retention.start();
    expect(state.failures).toBe(0);
    expect(retention.yearsFor('acme')).toBe(12);
  });

  it('throws a non-retriable error at start', async () => {
    const state = { rows: [], failures: 1, error: Object.assign(new Error('no table'), { retriable: false }) };
    await expect(new TenantRetention(fakeWarehouse(state), { refreshMs: 0 }).start()).rejects.toThrow('no table');
  });
});
