import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditApp, createToken } from '@probity/audit-api';
import { createLogger } from '@probity/logger';
import { createSink, loadSinkConfig, type Sink } from '@probity/sink';
import { openWarehouse, runMigrations, type Warehouse } from '@probity/warehouse';
import type { FastifyInstance } from 'fastify';
import { uniqueName, waitFor } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, type NotaryHarness } from '../notary/fixtures.js';

let harness: NotaryHarness;
let warehouse: Warehouse;
let app: FastifyInstance;
let sink: Sink | null = null;
const database = `ret_${randomBytes(5).toString('hex')}`;
const logger = createLogger('retention-test', process.env.TEST_LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  harness = await notaryHarness(1);
  warehouse = await openWarehouse({ database, dataDir: mkdtempSync(path.join(tmpdir(), 'retention-chdb-')) });
  await runMigrations(warehouse, { database });
  app = await buildAuditApp({ warehouse });
  await harness.startNotary();
});
afterAll(async () => {
  await sink?.stop();
  await app.close();
  await harness.cleanup();
  await warehouse.close();
});

async function retentionUntil(contentHash: string): Promise<string | undefined> {
  const rows = await warehouse.query<{ d: string }>(`SELECT toString(retention_until) AS d FROM ${database}.evidence_v1 WHERE content_hash = unhex({h:String})`, { h: contentHash });
  return rows[0]?.d;
}

describe('tenant retention', () => {
  it('is what POST /v1/tenants/{t}/retention set, in the sink createSink builds (as `probity up` and the standalone sink run it), and a change applies without a restart', async () => {
    const tenant = uniqueName('ret').toLowerCase().slice(0, 30);
    const admin = (await createToken(warehouse, { tenant, role: 'admin' })).token;
    const setYears = async (years: number) => {
      const res = await app.inject({ method: 'POST', url: `/v1/tenants/${tenant}/retention`, headers: { authorization: `Bearer ${admin}` }, payload: { retention_years: years } });
      expect(res.statusCode).toBe(200);
    };
    await setYears(3);

    const namespace = harness.topics.raw.slice(0, -'.probity.evidence.raw'.length);
    const config = loadSinkConfig({
      // The brokers and anything else the run was started with (infra/test.sh exports KAFKA_BROKERS).
      ...process.env,
      PROBITY_TOPIC_NAMESPACE: namespace,
      SINK_GROUP_ID: uniqueName('ret-sink'),
      SINK_BATCH_MIN_BYTES: '1',
      SINK_BATCH_MAX_WAIT_MS: '100',
      SINK_RETENTION_PURGE_INTERVAL_MS: '0',
      SINK_TENANT_SETTINGS_REFRESH_MS: '300',
    });
    sink = createSink(config, warehouse, logger);
    await sink.start();

    // manifestJson(…, 0) occurred on 2026-07-01.
    const first = encodeManifest(manifestJson(tenant, 0));
    await harness.produceRaw([{ key: first.contentHash, value: first.bytes }]);
    await waitFor(async () => (await retentionUntil(first.contentHash)) !== undefined, { timeoutMs: 60_000, message: 'the first record in the warehouse' });
    expect(await retentionUntil(first.contentHash)).toBe('2029-07-01');

    // Changed while the sink runs: rows written after the next refresh (300 ms here) get the new setting.
    await setYears(12);
    await new Promise((r) => setTimeout(r, 1_000));
    const second = encodeManifest(manifestJson(tenant, 1));
    await harness.produceRaw([{ key: second.contentHash, value: second.bytes }]);
    await waitFor(async () => (await retentionUntil(second.contentHash)) !== undefined, { timeoutMs: 60_000, message: 'the second record in the warehouse' });
    expect(await retentionUntil(second.contentHash)).toBe('2038-07-01');

    // A tenant without a setting keeps the default of 7 years.
    const other = encodeManifest(manifestJson(`${tenant}-x`, 2));
    await harness.produceRaw([{ key: other.contentHash, value: other.bytes }]);
    await waitFor(async () => (await retentionUntil(other.contentHash)) !== undefined, { timeoutMs: 60_000, message: 'the other tenant\'s record' });
    expect(await retentionUntil(other.contentHash)).toBe('2033-07-01');
  });
});
