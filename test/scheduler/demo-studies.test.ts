import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmitter, encodeRecord } from '@probity/agent';
import type { StudyDefinition } from '@probity/catalog';
import { DEMO_STUDIES, DEMO_TENANT, describeStudyResult, liveInference, monitoringManifests, referenceInference } from '@probity/cli';
import { loadCommonConfig } from '@probity/config';
import { defaultRegistry, type RecordType } from '@probity/schema';
import { createScheduler, loadStudies, redisOptionsFromUrl, runDriftStudy, type StudyResultJson, type StudyRunReturn } from '@probity/scheduler';
import { EVIDENCE_INSERT_COLUMNS, TABLES, buildEvidenceRow, type Warehouse } from '@probity/warehouse';
import { QueueEvents } from 'bullmq';
import { kafkaForTests, repoRoot, uniqueName, waitFor } from '../helpers/index.js';
import { DATABASE, openTestWarehouse } from './fixtures.js';

/**
 * What `probity demo` emits for the shipped demo studies (studies/demo-*.yaml),
 * run through the real scheduler (BullMQ on Redis, drift in a worker thread,
 * results and incidents emitted by the agent into Kafka) against a chDB
 * warehouse holding those records as the sink writes them. A definition
 * scoped to another tenant, or data too thin for its minimum sample, gives
 * INSUFFICIENT_DATA and fails here.
 */

// A fixed afternoon, so the run is the same every time; the demo uses the real clock.
const NOW = Date.UTC(2026, 11, 7, 15, 30, 0);
const registry = defaultRegistry();
let warehouse: Warehouse;
let closeWarehouse: () => Promise<void>;
let studies: Map<string, StudyDefinition>;

/** Evidence rows as the sink builds them (record JSON from the decoded Avro), so the inference view fills as in production. */
async function insertAsSink(recordType: RecordType, records: readonly Record<string, unknown>[]): Promise<void> {
  const rows = records.map((record, i) => {
    const { contentHash, message } = encodeRecord(registry, recordType, record, 'json');
    const decoded = registry.decode(message.value as Buffer);
    const occurredAt = new Date(String(record.occurred_at));
    return buildEvidenceRow({
      tenant: DEMO_TENANT,
      contentHash,
      recordType,
      schemaFingerprint: '0000000000000000',
      modelId: String(record.model_id),
      modelVersion: String(record.model_version),
      stage: recordType === 'InferenceRecord' ? 'INFERENCE' : String(record.stage),
      runId: String(record.run_id ?? record.request_id),
      manifestId: String(record.manifest_id ?? ''),
      occurredAt,
      notarizedAt: occurredAt,
      principal: '',
      controls: record.controls as string[],
      shard: 0,
      leafIndex: i,
      record: message.value as Buffer,
      recordJson: JSON.stringify(registry.toJson(decoded.recordType as RecordType, decoded.value)),
      envelopeJson: '{}',
      ingestPartition: 0,
      ingestOffset: i,
    });
  });
  await warehouse.insert(`${DATABASE}.${TABLES.evidence}`, rows as never, { columns: EVIDENCE_INSERT_COLUMNS });
}

beforeAll(async () => {
  ({ warehouse, close: closeWarehouse } = await openTestWarehouse());
  await insertAsSink('InferenceRecord', [...referenceInference(), ...liveInference(NOW)]);
  await insertAsSink('EvidenceManifest', monitoringManifests(NOW));
  studies = new Map((await loadStudies(path.join(repoRoot, 'studies'))).map((s) => [s.id, s]));
});

afterAll(async () => {
  await closeWarehouse?.();
});

describe("the demo's studies on the demo's data", () => {
  it('are shipped and scoped to the tenant the demo emits for', () => {
    for (const id of Object.values(DEMO_STUDIES)) expect(studies.get(id)?.scope.tenant, id).toBe(DEMO_TENANT);
  });

  it('run through the scheduler: drift is CRITICAL with its incidents, one calibration passes and one fails', async () => {
    const kafka = kafkaForTests();
    const topic = await kafka.createTopic();
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'demo-studies-spool-'));
    const emitter = await createEmitter({ name: uniqueName('demo-studies'), dataDir: spoolDir, brokers: kafka.brokers, topic });
    const connection = redisOptionsFromUrl(loadCommonConfig().REDIS_URL);
    const queueName = uniqueName('demo-studies');
    const scheduler = createScheduler({ connection, queueName, warehouse, emitter, studies: Object.values(DEMO_STUDIES).map((id) => studies.get(id)!) });
    const events = new QueueEvents(queueName, { connection });
    const consumer = kafka.kafka.consumer({ groupId: uniqueName('g'), maxWaitTimeInMs: 200 });
    try {
      await scheduler.start();
      await events.waitUntilReady();
      const run = async (id: string) => (await (await scheduler.runNow(id, NOW)).waitUntilFinished(events, 60_000)) as StudyRunReturn;
      const drift = await run(DEMO_STUDIES.drift);
      const pass = await run(DEMO_STUDIES.calibrationPass);
      const fail = await run(DEMO_STUDIES.calibrationFail);
      const result = (r: StudyRunReturn) => r.result as StudyResultJson;
      console.log([drift, pass, fail].flatMap((r) => describeStudyResult(result(r))).join('\n'));

      expect(drift.verdict).toBe('CRITICAL');
      const driftStudy = studies.get(DEMO_STUDIES.drift) as Extract<StudyDefinition, { kind: 'drift' }>;
      expect(result(drift).current_window.sample_size).toBeGreaterThanOrEqual(driftStudy.minimum_sample.records);
      expect(result(drift).reference_window.sample_size).toBeGreaterThanOrEqual(driftStudy.reference.minimum_records);
      const byFeature = (feature: string) => new Set(result(drift).results.filter((f) => f.name === feature).map((f) => f.verdict));
      expect(byFeature('debt_ratio')).toEqual(new Set(['CRITICAL']));
      expect(byFeature('income')).toEqual(new Set(['WARNING']));
      expect(byFeature('credit_history_months')).toEqual(new Set(['PASS']));
      expect(drift.incidentHashes).toHaveLength(2);

      const deviation = (r: StudyRunReturn) => result(r).results.find((f) => f.method === 'relative_deviation')!.statistic;
      expect(pass.verdict).toBe('PASS');
      expect(deviation(pass)).toBeLessThan(0.05);
      expect(pass.incidentHashes).toEqual([]);
      expect(fail.verdict).toBe('FAIL');
      expect(deviation(fail)).toBeGreaterThan(0.08);
      expect(deviation(fail)).toBeLessThan(0.1);
      expect(fail.incidentHashes).toHaveLength(1);
      // Hourly rounds over the last 7 days and today until 15:30: every probe reading finds its partner.
      expect(result(pass).current_window.sample_size).toBe(7 * 24 + 16);

      // The results and incidents went out as evidence records.
      const seen = new Map<string, { recordType: string; value: Record<string, unknown> }>();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = registry.decode(message.value!);
          seen.set(message.key!.toString(), { recordType: decoded.recordType, value: decoded.value as Record<string, unknown> });
        },
      });
      const hashes = [drift, pass, fail].flatMap((r) => [r.contentHash, ...r.incidentHashes]);
      await waitFor(() => hashes.every((h) => seen.has(h)), { timeoutMs: 30_000, message: 'results and incidents in Kafka' });
      expect(seen.get(drift.contentHash)).toMatchObject({ recordType: 'StudyResult', value: { study_id: DEMO_STUDIES.drift, verdict: 'CRITICAL', tenant: DEMO_TENANT } });
      expect(drift.incidentHashes.map((h) => seen.get(h)?.value.severity)).toEqual(['CRITICAL', 'HIGH']);
      expect(fail.incidentHashes.map((h) => seen.get(h)?.value.severity)).toEqual(['MEDIUM']);
    } finally {
      await consumer.disconnect();
      await events.close();
      await scheduler.stop();
      await emitter.close();
      await kafka.cleanup();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });

  it('still judges drift when someone runs it later the same day, after the demo emitted', async () => {
    const later = await runDriftStudy(studies.get(DEMO_STUDIES.drift) as Extract<StudyDefinition, { kind: 'drift' }>, NOW + 8 * 3_600_000, { warehouse });
    expect(later.verdict).toBe('CRITICAL');
  });
});
