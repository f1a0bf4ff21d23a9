/**
 * Rate of the sink's deduplicated evidence insert on embedded chDB:
 *   npx tsx bench/warehouse/insert-evidence.ts [rows=100000] [batch=2000]
 * Prints rows/s for first deliveries (every row new) and for a full
 * redelivery (every row already in every table), each in `batch`-row calls.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildEvidenceRow, insertEvidenceDeduplicated, openWarehouse, runMigrations, type EvidenceRow } from '@probity/warehouse';

const total = Number(process.argv[2] ?? 100_000);
const batch = Number(process.argv[3] ?? 2_000);
const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-insert-evidence-'));
const database = 'bench_insert';
const warehouse = await openWarehouse({ database, dataDir });
await runMigrations(warehouse, { database });

const recordJson = JSON.stringify({ stage: 'TRAINING', model_id: 'fraud', metrics: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${i}`, i / 7])) });
const rows: EvidenceRow[] = Array.from({ length: total }, (_, i) =>
  buildEvidenceRow({
    tenant: `tenant-${i % 4}`,
    contentHash: randomBytes(32).toString('hex'),
    recordType: i % 4 === 3 ? 'InferenceRecord' : 'EvidenceManifest',
    schemaFingerprint: '0123456789abcdef',
    modelId: `model-${i % 8}`,
    modelVersion: '1.0.0',
    stage: 'TRAINING',
    runId: `run-${i % 500}`,
    manifestId: `m-${i}`,
    occurredAt: new Date(Date.UTC(2026, 6, 1) + i * 1000),
    notarizedAt: new Date(),
    principal: 'ci@example',
    controls: ['iso42001:A.6.2.4'],
    shard: i % 3,
    leafIndex: Math.floor(i / 3),
    record: randomBytes(600),
    recordJson,
    envelopeJson: JSON.stringify({ statement: randomBytes(300).toString('base64'), proof: randomBytes(400).toString('base64') }),
    ingestPartition: i % 3,
    ingestOffset: i,
  }),
);

async function pass(label: string): Promise<void> {
  const started = performance.now();
  let inserted = 0;
  let duplicates = 0;
  for (let i = 0; i < rows.length; i += batch) {
    const outcome = await insertEvidenceDeduplicated(warehouse, rows.slice(i, i + batch));
    inserted += outcome.inserted;
    duplicates += outcome.duplicates;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${label}: ${rows.length} rows in ${seconds.toFixed(1)} s = ${Math.round(rows.length / seconds)} rows/s (inserted ${inserted}, duplicates ${duplicates})\n`);
}

await pass('first delivery');
await pass('redelivery');
await warehouse.close();
rmSync(dataDir, { recursive: true, force: true });
