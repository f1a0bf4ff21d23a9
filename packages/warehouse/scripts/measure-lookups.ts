/**
 * Measures point lookups by content hash and by run id on ~2M evidence rows
 * (embedded chDB), for the layout in 0001_evidence (narrow lookup tables fed
 * by materialized views) against bloom-filter skip indexes and no index.
 * Not a test: prints figures.   npx tsx packages/warehouse/scripts/measure-lookups.ts [rows]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EVIDENCE_SELECT_LIST, hashFromHexParam, openWarehouse, runMigrations } from '../src/index.js';

const ROWS = Number(process.argv[2] ?? 2_000_000);
const SAMPLES = 200;
const database = 'measure';
const dataDir = mkdtempSync(path.join(tmpdir(), 'probity-measure-'));
const w = await openWarehouse({ database, dataDir });
await runMigrations(w, { database });

// Rows are generated inside the engine (the bench is about reads, not the insert path).
const t0 = performance.now();
const CHUNK = 250_000;
for (let start = 0; start < ROWS; start += CHUNK) {
  await w.exec(`
    INSERT INTO evidence_v1 (tenant, content_hash_hex, record_type, schema_fingerprint, model_id, model_version, stage, run_id,
      manifest_id, occurred_at, notarized_at, principal, controls, shard, leaf_index, record_base64, record_json, envelope_json,
      ingest_partition, ingest_offset, retention_until)
    SELECT concat('tenant-', toString(n % 20)), lower(hex(SHA256(toString(n)))), 'TrainingRun', 'c3f1a2b4d5e6f708',
      concat('model-', toString(intHash32(n) % 50)), '1.0.0', ['ingest','training','evaluation','deployment'][1 + n % 4],
      concat('run-', toString(intDiv(n, 10))), toString(generateUUIDv4(n)),
      toDateTime64('2023-01-01 00:00:00', 6, 'UTC') + toIntervalSecond(intDiv(n * 47, 1)), now64(6), 'ci@example',
      ['A.6.2.4','A.7.5'], n % 16, n, base64Encode(repeat('x', 300)), concat('{"n":', toString(n), ',"pad":"', repeat('y', 400), '"}'),
      '{"payloadType":"application/vnd.probity"}', 0, n, toDate('2033-01-01')
    FROM (SELECT number AS n FROM numbers(${start}, ${Math.min(CHUNK, ROWS - start)}))`);
}
const loadSeconds = (performance.now() - t0) / 1000;

await w.exec(`CREATE TABLE evidence_bloom AS evidence_v1`);
await w.exec(`ALTER TABLE evidence_bloom ADD INDEX idx_hash content_hash TYPE bloom_filter(0.001) GRANULARITY 1`);
await w.exec(`ALTER TABLE evidence_bloom ADD INDEX idx_run run_id TYPE bloom_filter(0.01) GRANULARITY 1`);
await w.exec(`INSERT INTO evidence_bloom SELECT * FROM evidence_v1`);
for (const t of ['evidence_v1', 'evidence_bloom', 'evidence_by_hash_v1', 'evidence_by_run_v1']) await w.exec(`OPTIMIZE TABLE ${t} FINAL`);

const samples = await w.query<{ tenant: string; h: string; run_id: string }>(
  `SELECT tenant, lower(hex(content_hash)) AS h, run_id FROM evidence_v1 ORDER BY rand() LIMIT ${SAMPLES}`,
);

async function measure(name: string, sql: string, paramsOf: (s: (typeof samples)[number]) => Record<string, unknown>, expectRows: (n: number) => boolean) {
  const times: number[] = [];
  for (const s of samples) {
    const started = performance.now();
    const rows = await w.query(sql, paramsOf(s));
    times.push(performance.now() - started);
    if (!expectRows(rows.length)) throw new Error(`${name}: unexpected ${rows.length} rows`);
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(`${name.padEnd(34)} p50 ${p(0.5).padStart(7)} ms   p99 ${p(0.99).padStart(7)} ms`);
}

const byHash = (s: { tenant: string; h: string }) => ({ tenant: s.tenant, h: s.h });
const byRun = (s: { tenant: string; run_id: string }) => ({ tenant: s.tenant, run: s.run_id });
console.log(`rows ${ROWS}, generated in ${loadSeconds.toFixed(1)} s (incl. materialized views); ${SAMPLES} random lookups each`);
await measure('hash: lookup table → main by key', `
  SELECT ${EVIDENCE_SELECT_LIST} FROM evidence_v1
  WHERE tenant = {tenant:String} AND (model_id, stage, occurred_at, content_hash) IN (
    SELECT model_id, stage, occurred_at, content_hash FROM evidence_by_hash_v1
    WHERE tenant = {tenant:String} AND content_hash = ${hashFromHexParam('h')})`, byHash, (n) => n === 1);
// Two point queries: the lookup row gives the main table's full sort key, bound as parameters.
{
  const times: number[] = [];
  for (const s of samples) {
    const started = performance.now();
    const [key] = await w.query<{ model_id: string; stage: string; occurred_at: string }>(
      `SELECT model_id, stage, occurred_at FROM evidence_by_hash_v1 WHERE tenant = {tenant:String} AND content_hash = ${hashFromHexParam('h')} LIMIT 1`,
      byHash(s),
    );
    const rows = await w.query(
      `SELECT ${EVIDENCE_SELECT_LIST} FROM evidence_v1 WHERE tenant = {tenant:String} AND model_id = {model:String} AND stage = {stage:String}
       AND occurred_at = {at:DateTime64(6, 'UTC')} AND content_hash = ${hashFromHexParam('h')}`,
      { ...byHash(s), model: key!.model_id, stage: key!.stage, at: key!.occurred_at },
    );
    times.push(performance.now() - started);
    if (rows.length !== 1) throw new Error('two-step: unexpected rows');
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(`${'hash: lookup, then main by full key'.padEnd(34)} p50 ${p(0.5).padStart(7)} ms   p99 ${p(0.99).padStart(7)} ms`);
}
await measure('hash: lookup table only', `
  SELECT lower(hex(content_hash)) AS h, run_id, occurred_at FROM evidence_by_hash_v1
  WHERE tenant = {tenant:String} AND content_hash = ${hashFromHexParam('h')}`, byHash, (n) => n === 1);
await measure('hash: bloom filter index', `
  SELECT ${EVIDENCE_SELECT_LIST} FROM evidence_bloom WHERE tenant = {tenant:String} AND content_hash = ${hashFromHexParam('h')}`, byHash, (n) => n === 1);
await measure('hash: no index (tenant prefix only)', `
  SELECT ${EVIDENCE_SELECT_LIST} FROM evidence_v1 WHERE tenant = {tenant:String} AND content_hash = ${hashFromHexParam('h')}`, byHash, (n) => n === 1);
await measure('run: lookup table → main by key', `
  SELECT ${EVIDENCE_SELECT_LIST} FROM evidence_v1
  WHERE tenant = {tenant:String} AND (model_id, stage, occurred_at, content_hash) IN (
    SELECT model_id, stage, occurred_at, content_hash FROM evidence_by_run_v1
    WHERE tenant = {tenant:String} AND run_id = {run:String})
  ORDER BY occurred_at`, byRun, (n) => n >= 1);
await measure('run: bloom filter index', `
  SELECT ${EVIDENCE_SELECT_LIST} FROM evidence_bloom WHERE tenant = {tenant:String} AND run_id = {run:String} ORDER BY occurred_at`, byRun, (n) => n >= 1);
await measure('run: no index (tenant prefix only)', `
  SELECT ${EVIDENCE_SELECT_LIST} FROM evidence_v1 WHERE tenant = {tenant:String} AND run_id = {run:String} ORDER BY occurred_at`, byRun, (n) => n >= 1);

const sizes = await w.query<{ table: string; row_count: string; size: string; bytes_per_row: number }>(`
  SELECT table, toString(sum(rows)) AS row_count, formatReadableSize(sum(data_compressed_bytes)) AS size,
         toUInt32(intDiv(sum(data_compressed_bytes), greatest(sum(rows), 1))) AS bytes_per_row
  FROM system.parts WHERE database = {db:String} AND active GROUP BY table ORDER BY table`, { db: database });
console.table(sizes);
const idx = await w.query(`SELECT table, name, formatReadableSize(data_compressed_bytes) AS size FROM system.data_skipping_indices WHERE database = {db:String}`, { db: database });
console.table(idx);
const hashCol = await w.query(`SELECT table, name, type, formatReadableSize(data_compressed_bytes) AS size, formatReadableSize(data_uncompressed_bytes) AS size_uncompressed
  FROM system.columns WHERE database = {db:String} AND table = 'evidence_v1' AND name IN ('content_hash', 'run_id', 'record_json')`, { db: database });
console.table(hashCol);
await w.close();
rmSync(dataDir, { recursive: true, force: true });
