import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER, headerString } from '@probity/kafka';
import { createLogger } from '@probity/logger';
import { defaultRegistry, readSchemaSources, SchemaRegistry } from '@probity/schema';
import { enumCases, FUTURE_SYMBOL } from '@probity/schema/testing';
import { Sink } from '@probity/sink';
import { openWarehouse, runMigrations, type Warehouse } from '@probity/warehouse';
import { schemaDecoder } from '../../services/notary/src/schema-decoder.js';
import { waitFor } from '../helpers/index.js';
import { manifestJson, notaryHarness, type NotaryHarness } from '../notary/fixtures.js';

// A newer emitter writes a schema version that adds an enum symbol (here a new
// Stage). Notary and sink that have the version's file accept and store the
// record with the emitter's symbol (their reader is the newest version they
// know, never older than a writer they know); a notary without the file
// dead-letters it whole, replayable once it has the file.

const stageCase = enumCases(defaultRegistry()).find((c) => c.recordType === 'EvidenceManifest' && c.enumName === 'Stage');
if (!stageCase) throw new Error('no Stage enum in EvidenceManifest');
const next = SchemaRegistry.fromSources([...readSchemaSources(), stageCase.next]);
const logger = createLogger('new-enum-symbol-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const database = `newsym_${randomBytes(5).toString('hex')}`;

let harness: NotaryHarness;
let warehouse: Warehouse;

function newerManifest(n: number): { bytes: Buffer; contentHash: string } {
  const parsed = next.fromJson('EvidenceManifest', { ...manifestJson('acme', n), stage: FUTURE_SYMBOL });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const bytes = next.encode('EvidenceManifest', parsed.value);
  return { bytes, contentHash: createHash('sha256').update(bytes).digest('hex') };
}

beforeAll(async () => {
  harness = await notaryHarness(1);
  warehouse = await openWarehouse({ database, dataDir: mkdtempSync(path.join(tmpdir(), 'newsym-chdb-')) });
  await runMigrations(warehouse, { database });
});
afterAll(async () => {
  await harness.cleanup();
  await warehouse.close();
});

describe('a record with an enum symbol from a newer schema version', () => {
  it('is dead-lettered whole (UNKNOWN_FINGERPRINT, original bytes) by a notary without that version, then notarized and stored with its own symbol by one with it', async () => {
    const record = newerManifest(1);
    const old = await harness.startNotary();
    await harness.produceRaw([{ key: record.contentHash, value: record.bytes }]);
    const [dead] = await harness.readAll(harness.topics.dlq, 1);
    expect(headerString(dead!.headers, HEADER.dlqReason)).toBe('UNKNOWN_FINGERPRINT');
    expect(Buffer.from(dead!.value!).equals(record.bytes)).toBe(true);
    await old.stop();

    // The schema file deployed: replaying the DLQ message (as an operator would) notarizes it.
    await harness.startNotary(undefined, { decoder: schemaDecoder(next) });
    await harness.produceRaw([{ key: record.contentHash, value: Buffer.from(dead!.value!) }]);
    const { records } = await harness.readSigned(1);
    expect(records.map((r) => r.content_hash)).toEqual([record.contentHash]);

    const sink = new Sink({
      kafka: harness.kafka,
      topics: harness.topics,
      groupId: `newsym-sink-${randomBytes(4).toString('hex')}`,
      warehouse,
      registry: next,
      retentionYearsFor: () => 7,
      batchMinBytes: 1,
      batchMaxWaitMs: 100,
      maxRetryDelayMs: 1000,
      logger,
    });
    await sink.start();
    try {
      const rows = await waitFor(
        async () => {
          const found = await warehouse.query<{ stage: string; record_json: string; schema_fingerprint: string }>(
            `SELECT stage, record_json, schema_fingerprint FROM ${database}.evidence_v1 WHERE content_hash = unhex('${record.contentHash}')`,
          );
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs: 60_000, message: 'the record in evidence_v1' },
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.stage).toBe(FUTURE_SYMBOL);
      expect(JSON.parse(rows[0]!.record_json).stage).toBe(FUTURE_SYMBOL);
      expect(rows[0]!.schema_fingerprint).toBe(next.current('EvidenceManifest').fingerprintHex);
    } finally {
      await sink.stop();
    }
  });
});
