import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmitter, encodeRecord } from '@probity/agent';
import { loadCommonConfig } from '@probity/config';
import { defaultRegistry } from '@probity/schema';
import { createScheduler, redisOptionsFromUrl, runDriftStudy, type StudyResultJson, type StudyRunReturn } from '@probity/scheduler';
import type { Warehouse } from '@probity/warehouse';
import { QueueEvents } from 'bullmq';
import { kafkaForTests, uniqueName, waitFor } from '../helpers/index.js';
import { DAY, driftStudy, insertInference, normalSample, openTestWarehouse } from './fixtures.js';

const tenant = uniqueName('t').slice(0, 40);
const DUE = Date.UTC(2025, 2, 10);
const REFERENCE = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 8) };
const N = 20_000;
let warehouse: Warehouse;
let closeWarehouse: () => Promise<void>;

/** One model per scenario: same reference N(0,1), current shifted by `shift` sd. */
async function scenario(modelId: string, shift: number, seed: number, currentDays = 7): Promise<void> {
  await insertInference(warehouse, { tenant, modelId, modelVersion: '1.0.0', ...REFERENCE, features: { income: normalSample(N, 0, 1, seed) } });
  await insertInference(warehouse, { tenant, modelId, modelVersion: '1.1.0', from: DUE - currentDays * DAY, to: DUE, features: { income: normalSample(N, shift, 1, seed + 1000) } });
}

const study = (modelId: string) =>
  driftStudy({ id: `drift-${modelId}`, scope: { tenant, model_id: modelId }, schedule: { cron: '0 0 1 1 *' }, reference: { model_version: '1.0.0', from: '2025-01-01T00:00:00Z', to: '2025-01-08T00:00:00Z', minimum_records: 1000 } });

function findings(result: StudyResultJson): Record<string, string> {
  return Object.fromEntries(result.results.map((f) => [f.method, `${f.verdict} stat=${f.statistic.toPrecision(3)} p=${f.p_value?.toPrecision(2) ?? '-'} es=${f.effect_size?.toPrecision(3) ?? '-'}`]));
}

beforeAll(async () => {
  ({ warehouse, close: closeWarehouse } = await openTestWarehouse());
  await scenario('m-critical', 1.0, 1);
  await scenario('m-warning', 0.35, 2);
  await scenario('m-pass', 0, 3);
  await scenario('m-short', 0, 4, 3);
});

afterAll(async () => {
  await closeWarehouse?.();
});

describe('drift study on synthetic inference records', () => {
  it('reaches CRITICAL on a 1 sd shift, WARNING on 0.35 sd, PASS on none', async () => {
    const critical = await runDriftStudy(study('m-critical'), DUE, { warehouse });
    const warning = await runDriftStudy(study('m-warning'), DUE, { warehouse });
    const pass = await runDriftStudy(study('m-pass'), DUE, { warehouse });
    console.log({ critical: findings(critical), warning: findings(warning), pass: findings(pass) });
    expect(critical.verdict).toBe('CRITICAL');
    expect(critical.results.every((f) => f.verdict === 'CRITICAL')).toBe(true);
    expect(warning.verdict).toBe('WARNING');
    expect(warning.results.find((f) => f.method === 'psi')).toMatchObject({ verdict: 'WARNING', threshold: 0.1 });
    expect(pass.verdict).toBe('PASS');

    // Everything needed to rerun it is in the record.
    expect(critical.current_window).toEqual({ from: '2025-03-03T00:00:00.000Z', to: '2025-03-10T00:00:00.000Z', sample_size: N, reference_version: null });
    expect(critical.reference_window.sample_size).toBe(N);
    expect(critical.reference_window.reference_version).toMatch(/^1\.0\.0@sha256:[0-9a-f]{64}$/);
    expect(critical.library).toBe('@probity/stats');
    expect(critical.library_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(critical.parameters['thresholds.ks']).toContain('"combine":"all"');
    expect(critical.inputs.map((i) => i.id)).toEqual(['reference', 'current']);
    const ks = critical.results.find((f) => f.method === 'ks')!;
    expect(ks.p_value).toBeLessThan(1e-10);
    expect(ks.effect_size).toBe(ks.statistic);
    expect(critical.controls).toContain('iso9001:9.1.3');
  });

  it('gives INSUFFICIENT_DATA, never a verdict, when the minimum sample is not met', async () => {
    const short = await runDriftStudy(study('m-short'), DUE, { warehouse });
    expect(short.verdict).toBe('INSUFFICIENT_DATA');
    expect(short.results).toEqual([]);
    expect(short.labels.insufficient_reason).toBe('minimum sample (larger) not reached: 3 of 7 days with data');
    const none = await runDriftStudy(study('m-absent'), DUE, { warehouse });
    expect(none.verdict).toBe('INSUFFICIENT_DATA');
    expect(none.labels.insufficient_reason).toContain('0 of 10000 records');
  });

  it('is deterministic: a rerun gives the same record bytes, so the same content hash', async () => {
    const registry = defaultRegistry();
    const a = await runDriftStudy(study('m-warning'), DUE, { warehouse });
    const b = await runDriftStudy(study('m-warning'), DUE, { warehouse });
    expect(b).toEqual(a);
    const ha = encodeRecord(registry, 'StudyResult', a, 'json');
    const hb = encodeRecord(registry, 'StudyResult', b, 'json');
    expect(hb.contentHash).toBe(ha.contentHash);
    expect(Buffer.compare(hb.message.value as Buffer, ha.message.value as Buffer)).toBe(0);
  });

  it('runs through BullMQ and publishes the result and its incidents with the real agent into Kafka', async () => {
    const config = loadCommonConfig();
    const kafka = kafkaForTests();
    const topic = await kafka.createTopic();
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'scheduler-spool-'));
    const emitter = await createEmitter({ name: uniqueName('scheduler'), dataDir: spoolDir, brokers: kafka.brokers, topic });
    const connection = redisOptionsFromUrl(config.REDIS_URL);
    const queueName = uniqueName('test');
    const scheduler = createScheduler({ connection, queueName, warehouse, emitter, studies: [study('m-critical')] });
    const events = new QueueEvents(queueName, { connection });
    const consumer = kafka.kafka.consumer({ groupId: uniqueName('g'), maxWaitTimeInMs: 200 });
    try {
      await scheduler.start();
      await events.waitUntilReady();
      const job = await scheduler.runNow('drift-m-critical', DUE);
      const ret = (await job.waitUntilFinished(events, 120_000)) as StudyRunReturn;
      expect(ret).toMatchObject({ verdict: 'CRITICAL', dueMillis: DUE, trigger: 'manual', runId: 'drift-m-critical@1@2025-03-10T00:00:00.000Z' });
      expect(ret.incidentHashes).toHaveLength(2);

      // Adding the same run again is a no-op: same job id.
      const again = await scheduler.runNow('drift-m-critical', DUE);
      expect(again.id).toBe(job.id);

      const seen = new Map<string, { recordType: string; value: Record<string, unknown> }>();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const registry = defaultRegistry();
      await consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = registry.decode(message.value!);
          seen.set(message.key!.toString(), { recordType: decoded.recordType, value: decoded.value as Record<string, unknown> });
        },
      });
      await waitFor(() => seen.size >= 3, { timeoutMs: 30_000, message: 'result and incidents in Kafka' });
      expect(seen.get(ret.contentHash)).toMatchObject({ recordType: 'StudyResult', value: { verdict: 'CRITICAL', study_id: 'drift-m-critical' } });
      expect(ret.incidentHashes.map((h) => seen.get(h)?.recordType)).toEqual(['Incident', 'Incident']);
    } finally {
      await consumer.disconnect();
      await events.close();
      await scheduler.stop();
      await emitter.close();
      await kafka.cleanup();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });
});
