import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@probity/logger';
import { defaultRegistry } from '@probity/schema';
import { Sink } from '@probity/sink';
import { openWarehouse, runMigrations, type Warehouse } from '@probity/warehouse';
import { leafHash, fromBase64, toHex } from '@probity/crypto';
import { repoRoot, uniqueName, waitFor } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, type NotaryHarness } from '../notary/fixtures.js';

let harness: NotaryHarness;
let warehouse: Warehouse;
const database = `sink_${randomBytes(5).toString('hex')}`;
const logger = createLogger('sink-test', process.env.TEST_LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  harness = await notaryHarness(2);
  warehouse = await openWarehouse({ database, dataDir: mkdtempSync(path.join(tmpdir(), 'sink-chdb-')) });
  await runMigrations(warehouse, { database });
  await harness.startNotary();
});
afterAll(async () => {
  await harness.cleanup();
  await warehouse.close();
});

function encodeExample(recordType: 'InferenceRecord' | 'StudyResult' | 'Incident', file: string, patch: Record<string, unknown>) {
  const registry = defaultRegistry();
  const json = { ...JSON.parse(readFileSync(path.join(repoRoot, 'schemas/examples', file), 'utf8')), ...patch };
  const parsed = registry.fromJson(recordType, json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const bytes = registry.encode(recordType, parsed.value);
  return { bytes, contentHash: createHash('sha256').update(bytes).digest('hex') };
}

/** A warehouse whose inserts fail (retriably) while `down` is true: a ClickHouse outage as the sink sees it. */
function flakyWarehouse(inner: Warehouse, state: { down: boolean; failures: number }): Warehouse {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'insert' || prop === 'query') {
        return async (...args: unknown[]) => {
          if (state.down) {
            state.failures += 1;
            throw Object.assign(new Error('warehouse unavailable (injected)'), { code: 'WAREHOUSE_UNAVAILABLE', retriable: true });
          }
          return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

function sinkFor(w: Warehouse, groupId: string, overrides: Partial<ConstructorParameters<typeof Sink>[0]> = {}): Sink {
  return new Sink({
    kafka: harness.kafka,
    topics: harness.topics,
    groupId,
    warehouse: w,
    registry: defaultRegistry(),
    retentionYearsFor: () => 7,
    batchMinBytes: 1,
    batchMaxWaitMs: 100,
    maxRetryDelayMs: 1000,
    logger,
    ...overrides,
  });
}

async function count(sql: string): Promise<number> {
  const rows = await warehouse.query<{ n: string }>(sql.replaceAll('$db', database));
  return Number(rows[0]?.n ?? 0);
}

describe('sink', () => {
  it('stores every signed record once, derives typed rows and log leaves, holds during a warehouse outage and survives redelivery', async () => {
    const manifests = Array.from({ length: 120 }, (_, n) => encodeManifest(manifestJson('acme', n)));
    const inference = Array.from({ length: 40 }, (_, n) => encodeExample('InferenceRecord', 'InferenceRecord.json', { request_id: `req-${n}`, features: { income: 1000 + n, debt_ratio: n / 100 } }));
    const study = encodeExample('StudyResult', 'StudyResult.json', {});
    const incident = encodeExample('Incident', 'Incident.json', {});
    const all = [...manifests, ...inference, study, incident];
    await harness.produceRaw(all.map((m) => ({ key: m.contentHash, value: m.bytes })));

    const outage = { down: true, failures: 0 };
    const sink = sinkFor(flakyWarehouse(warehouse, outage), uniqueName('sink-group'));
    await sink.start();
    await waitFor(() => outage.failures >= 3, { message: 'the sink to retry against the unavailable warehouse' });
    expect(sink.stats().blocked).toBe(true);
    expect(await count('SELECT count() AS n FROM $db.evidence_v1')).toBe(0);
    outage.down = false;

    // The insert returns after the materialized views have written the derived tables; rows of
    // evidence_v1 are visible a moment earlier, so wait for the sink, not for the row count.
    await waitFor(() => sink.stats().inserted === all.length, { timeoutMs: 60_000, message: `the sink to insert ${all.length} rows` });
    expect(await count('SELECT count() AS n FROM $db.evidence_v1')).toBe(all.length);
    expect(sink.stats().blocked).toBe(false);
    expect(await count("SELECT count() AS n FROM $db.inference_v1 WHERE tenant = 'acme-bank'")).toBe(40);
    expect(await count('SELECT count() AS n FROM $db.study_results_v1')).toBe(1);
    expect(await count('SELECT count() AS n FROM $db.incidents_v1')).toBe(1);
    expect(await count('SELECT count() AS n FROM $db.log_leaves_v1')).toBe(all.length);
    const features = await warehouse.query<{ income: number }>(`SELECT features['income'] AS income FROM ${database}.inference_v1 ORDER BY income LIMIT 1`);
    expect(features[0]!.income).toBe(1000);

    // The leaf hash derived in ClickHouse equals RFC 6962's over the statement bytes.
    const [sample] = await warehouse.query<{ leaf: string; envelope: string }>(
      `SELECT lower(hex(l.leaf_hash)) AS leaf, e.envelope_json AS envelope FROM ${database}.log_leaves_v1 l
       INNER JOIN ${database}.evidence_v1 e ON e.content_hash = l.content_hash LIMIT 1`,
    );
    expect(sample!.leaf).toBe(toHex(leafHash(fromBase64(JSON.parse(sample!.envelope).statement))));
    await waitFor(async () => (await count('SELECT count() AS n FROM $db.checkpoints_v1')) > 0, { message: 'a checkpoint row' });
    await sink.stop();

    // A second sink group re-reads the whole topic: nothing is stored twice.
    const replay = sinkFor(warehouse, uniqueName('sink-replay'));
    await replay.start();
    await waitFor(() => replay.stats().duplicates >= all.length, { timeoutMs: 60_000, message: 'the replay to see every record as a duplicate' });
    await replay.stop();
    expect(await count('SELECT count() AS n FROM $db.evidence_v1')).toBe(all.length);
    expect(await count('SELECT count() AS n FROM $db.log_leaves_v1')).toBe(all.length);
    expect(await count('SELECT count() AS n FROM $db.inference_v1')).toBe(40);
    expect(await count('SELECT count() AS n FROM $db.evidence_blobs_v2')).toBe(all.length);
  });

  it('purges point-lookup rows past their retention on its timer, and keeps the rest', async () => {
    // Past both its one-year retention and the default seven years the purge also asks of a tenant without a setting.
    const expired = encodeManifest({ ...manifestJson('acme', 9_001), occurred_at: '2018-03-01T00:00:00Z' });
    const current = encodeManifest(manifestJson('acme', 9_002));
    await harness.produceRaw([expired, current].map((m) => ({ key: m.contentHash, value: m.bytes })));
    const blobs = (hash: string) => count(`SELECT count() AS n FROM $db.evidence_blobs_v2 WHERE lookup_key = 'acme:${hash}'`);

    // One-year retention: the 2018 record expired in 2019. Both land in the lookup table first…
    const loader = sinkFor(warehouse, uniqueName('sink-load'), { retentionYearsFor: () => 1 });
    await loader.start();
    await waitFor(async () => (await blobs(current.contentHash)) === 1 && (await blobs(expired.contentHash)) === 1, {
      timeoutMs: 60_000,
      message: 'both records in the lookup table',
    });
    await loader.stop();

    // …then a sink with a purge period removes the expired one (the first purge runs one period after start).
    const sink = sinkFor(warehouse, uniqueName('sink-purge'), { retentionYearsFor: () => 1, retentionPurgeIntervalMs: 1_500 });
    await sink.start();
    await waitFor(async () => (await blobs(expired.contentHash)) === 0, { timeoutMs: 60_000, message: 'the purge to remove the expired record' });
    expect(await blobs(current.contentHash)).toBe(1);
    await sink.stop();
  });
});

