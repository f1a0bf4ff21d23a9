import { describe, expect, it } from 'vitest';
import { warehouseFromHealthz } from './warehouse.js';

describe('warehouseFromHealthz', () => {
  it('reads the warehouse entry of a services/local /healthz answer', () => {
    const body = { healthy: true, components: { warehouse: { healthy: true, detail: { kind: 'chdb', version: '26.7.2.1', latencyMs: 2.14 } } } };
    expect(warehouseFromHealthz(body, '/data/chdb')).toMatchObject({ component: 'warehouse', healthy: true, version: '26.7.2.1', latencyMs: 2.1, target: '/data/chdb' });
  });

  it('reports a warehouse the services say is down, with what to do', () => {
    const body = { healthy: false, components: { warehouse: { healthy: false, detail: { kind: 'chdb', error: 'engine closed' } } } };
    const health = warehouseFromHealthz(body, '/data/chdb');
    expect(health?.healthy).toBe(false);
    expect(health?.message).toContain('engine closed');
    expect(health?.message).toContain('`probity down && probity up`');
  });

  it("reads the audit API's /healthz answer (what the local stack serves)", () => {
    const up = { status: 'ok', warehouse: { kind: 'chdb', version: '26.7.2.1', latency_ms: 2.14 } };
    expect(warehouseFromHealthz(up, '/data/chdb')).toMatchObject({ healthy: true, version: '26.7.2.1', latencyMs: 2.1 });
    const down = { status: 'unavailable', warehouse: { kind: 'chdb', error: 'WAREHOUSE_UNAVAILABLE' } };
    expect(warehouseFromHealthz(down, '/data/chdb')).toMatchObject({ healthy: false });
    expect(warehouseFromHealthz(down, '/data/chdb')?.message).toContain('WAREHOUSE_UNAVAILABLE');
  });

  it('returns undefined when the answer has no warehouse entry', () => {
    expect(warehouseFromHealthz({ healthy: true, components: {} }, '/d')).toBeUndefined();
    expect(warehouseFromHealthz('ok', '/d')).toBeUndefined();
  });
});
