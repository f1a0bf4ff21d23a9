/**
 * Audit query latency at scale (`npx tsx bench/query/run.ts [--rows N] [--samples N] [--keep DIR [--reuse]]`).
 *
 * Generates synthetic evidence for 3 tenants × 20 models × 7 years (default
 * 10,000,000 rows) into embedded chDB through the warehouse's insert path
 * (JSONEachRow Buffers in large batches, as the sink does), with the Merkle
 * log leaves and one signed checkpoint per shard. Prints the insert
 * throughput and bytes on disk per row, then p50/p95/p99 of:
 *   point lookup by hash · lookup by run id · one model's quarter (page of 100)
 *   · a quarter's coverage count grouped by control
 * each through the API over real HTTP on loopback AND as bare SQL (the same
 * statements the API issues, run directly through warehouse.query: no
 * HTTP, auth, JSON shaping or proofs), with the ratio API / bare.
 * Prints figures; never fails on them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateSigningKey, leafHash, signCheckpoint, toHex, treeHash } from '@probity/crypto';
import { EVIDENCE_INSERT_COLUMNS, TABLES, openWarehouse, runMigrations, type Warehouse } from '@probity/warehouse';
import { EvidenceRepository, StoredHashes, buildAuditApp, createToken, probityControlCatalog } from '@probity/audit-api';

const { values } = parseArgs({
  options: { rows: { type: 'string' }, samples: { type: 'string' }, keep: { type: 'string' }, batch: { type: 'string' }, reuse: { type: 'boolean' } },
});
const ROWS = Number(values.rows ?? 10_000_000);
const SAMPLES = Number(values.samples ?? 300);
const BATCH = Number(values.batch ?? 100_000);
const SHARDS = 16;
const TENANTS = ['acme-bank', 'globex', 'initech'];
const MODELS = Array.from({ length: 20 }, (_, i) => `model-${String(i).padStart(2, '0')}`);
const STAGES = ['INGEST', 'PREPROCESS', 'FEATURES', 'TRAINING', 'EVALUATION', 'REGISTRY', 'PROMOTION', 'DEPLOYMENT'];
const CONTROLS = probityControlCatalog.controls('iso42001')!.map((c) => c.id);
const START = Date.UTC(2020, 0, 1);
const END = Date.UTC(2027, 0, 1);
const SPAN = END - START;

/** Bytes of the files under a directory (0 if it does not exist). */
function directoryBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    total += e.isDirectory() ? directoryBytes(full) : statSync(full).size;
  }
  return total;
}

const dataDir = values.keep ?? mkdtempSync(path.join(tmpdir(), 'probity-bench-query-'));
const database = 'bench_query';
const log = (text: string) => console.log(text);
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

// Random bytes for the incompressible parts of a row (proof hashes, record bytes): sliced, not regenerated.
const POOL = randomBytes(64 * 1024 * 1024);
const bytesAt = (n: number, len: number) => {
  const start = (n * 7_919_993) % (POOL.length - len);
  return POOL.subarray(start, start + len);
};
const slice = (n: number, len: number) => bytesAt(n, len).toString('base64');
/** Inclusion proof of a leaf as the notary ships it: neighbouring leaves share their upper-level hashes (so it compresses as a real one does). */
const proofOf = (shard: number, leafIndex: number) => Array.from({ length: 20 }, (_, level) => slice(shard * 4_000_003 + level * 1_000_003 + ((leafIndex >> level) ^ 1), 32));

interface Sample {
  tenant: string;
  hash: string;
  runId: string;
  model: string;
}

/** The lookup targets of row n (deterministic, so a reused data dir gets the same samples). */
function sampleOf(n: number): Sample {
  const model = MODELS[Math.floor(n / 3) % 20]!;
  return { tenant: TENANTS[n % 3]!, hash: hashOf(n).toString('hex'), runId: `run-${TENANTS[n % 3]}-${model}-${Math.floor(n / 600)}`, model };
}

function hashOf(n: number): Buffer {
  return createHash('sha256').update(`bench-record-${n}`).digest();
}

function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '000');
}

/** Row n: spread evenly over time; tenant, model, stage and run vary like a real mix. */
function rowOf(n: number, leafIndex: number, shard: number, contentHash: string, statement: Buffer): string {
  const tenant = TENANTS[n % 3]!;
  const model = MODELS[Math.floor(n / 3) % 20]!;
  const stage = STAGES[Math.floor(n / 60) % STAGES.length]!;
  const runId = `run-${tenant}-${model}-${Math.floor(n / 600)}`;
  const occurred = START + Math.floor((n / ROWS) * SPAN);
  const controls = [CONTROLS[n % CONTROLS.length]!, CONTROLS[(n * 7 + 3) % CONTROLS.length]!];
  const recordJson = JSON.stringify({
    tenant, manifest_id: `m-${n}`, run_id: runId, pipeline_id: `${model}/train`, model_id: model, model_version: `1.${n % 17}.0`, stage,
    occurred_at: new Date(occurred).toISOString(), principal: { kind: 'SERVICE', id: `svc:${model}@${tenant}` },
    inputs: [{ id: `ds-${n % 997}`, kind: 'DATASET', sha256: contentHash, uri: `s3://${tenant}/datasets/${n % 997}.parquet` }],
    controls, summary: `Synthetic ${stage.toLowerCase()} record ${n} of ${model}.`,
  });
  const envelopeJson = JSON.stringify({
    format: 'probity.signed-record/v1', tenant, content_hash: contentHash, record_type: 'EvidenceManifest', schema_fingerprint: 'c3f1a2b4d5e6f708',
    shard, leaf_index: leafIndex, statement: statement.toString('base64'), emitter_envelope: null, notary_envelope: null,
    checkpoint: `probity.bench/log/shard/${shard}\n${leafIndex + 1}\n${slice(n + 1, 32)}\n\n— probity-notary ${slice(n + 2, 68)}\n`,
    inclusion_proof: proofOf(shard, leafIndex),
  });
  const row = {
    tenant, content_hash_hex: contentHash, record_type: 'EvidenceManifest', schema_fingerprint: 'c3f1a2b4d5e6f708', model_id: model,
    model_version: `1.${n % 17}.0`, stage, run_id: runId, manifest_id: `m-${n}`, occurred_at: chTime(occurred), notarized_at: chTime(occurred + 1500),
    principal: `service:svc:${model}@${tenant}`, controls, shard, leaf_index: leafIndex, record_base64: slice(n + 3, 420), record_json: recordJson,
    envelope_json: envelopeJson, ingest_partition: shard, ingest_offset: leafIndex, retention_until: '2040-01-01',
  };
  return JSON.stringify(row);
}

function percentiles(times: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: p(0.5), p95: p(0.95), p99: p(0.99) };
}

async function generate(w: Warehouse, shards: StoredHashes[]): Promise<Sample[]> {
  const samples: Sample[] = [];
  const sampleEvery = Math.max(1, Math.floor(ROWS / 5000));
  let insertMs = 0;
  let bytes = 0;
  let pending: Promise<void> = Promise.resolve();
  const started = performance.now();
  let lastReport = started;
  for (let start = 0; start < ROWS; start += BATCH) {
    const end = Math.min(ROWS, start + BATCH);
    const evidence: string[] = [];
    const leafHashes: Buffer[][] = Array.from({ length: SHARDS }, () => []);
    for (let n = start; n < end; n++) {
      const shard = n % SHARDS;
      const leafIndex = Math.floor(n / SHARDS);
      const hash = hashOf(n).toString('hex');
      const statement = bytesAt(n, 330);
      evidence.push(rowOf(n, leafIndex, shard, hash, statement));
      // The warehouse derives log_leaves_v1 from the statement (RFC 6962 leaf hash); the checkpoint must agree.
      leafHashes[shard]!.push(Buffer.from(leafHash(statement)));
      if (n % sampleEvery === 0) samples.push(sampleOf(n));
    }
    shards.forEach((s, i) => s.append(Buffer.concat(leafHashes[i]!), leafHashes[i]!.length));
    const evidenceBuffer = Buffer.from(`${evidence.join('\n')}\n`);
    bytes += evidenceBuffer.length;
    // Insert this batch while the next one is generated.
    await pending;
    pending = (async () => {
      const t0 = performance.now();
      await w.insert(TABLES.evidence, evidenceBuffer, { columns: EVIDENCE_INSERT_COLUMNS });
      insertMs += performance.now() - t0;
    })();
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      log(`  … ${fmt(end, 0)} rows generated (${fmt(end / ((lastReport - started) / 1000), 0)} rows/s overall)`);
    }
  }
  await pending;
  const wallS = (performance.now() - started) / 1000;
  log(`generated and inserted ${fmt(ROWS, 0)} evidence rows in ${fmt(wallS)} s: ${fmt(ROWS / wallS, 0)} rows/s overall`);
  log(`  sink-side insert into evidence_v1 (with the lookup and log-leaf views it feeds): ${fmt(ROWS / (insertMs / 1000), 0)} rows/s while inserting, ${fmt(bytes / ROWS, 0)} B of JSONEachRow per row (${fmt(bytes / 1e6 / (insertMs / 1000))} MB/s)`);
  return samples;
}

async function main(): Promise<void> {
  log(`bench/query: ${fmt(ROWS, 0)} rows, ${TENANTS.length} tenants × ${MODELS.length} models × 7 years (2020–2026), ${SHARDS} log shards; data dir ${dataDir}`);
  const w = await openWarehouse({ database, dataDir });
  await runMigrations(w, { database });
  const shards = Array.from({ length: SHARDS }, () => new StoredHashes());
  const [existing] = await w.query<{ n: string }>(`SELECT count() AS n FROM ${TABLES.evidence}`);
  let samples: Sample[];
  if (values.reuse && Number(existing?.n) === ROWS) {
    // --keep DIR --reuse: measure again on the rows a previous run left (14+ minutes to generate at 10^7).
    log(`reusing the ${fmt(ROWS, 0)} rows already in ${dataDir}`);
    samples = [];
    for (let n = 0; n < ROWS; n += Math.max(1, Math.floor(ROWS / 5000))) samples.push(sampleOf(n));
  } else {
    if (Number(existing?.n) > 0) throw new Error(`${dataDir} already holds ${existing?.n} rows; pass --reuse with the same --rows, or use a fresh --keep directory`);
    samples = await generate(w, shards);
    // A bulk load leaves RocksDB's compaction far behind (hundreds of L0/L1 files); a stream of inserts
    // would not. Settle it as background compaction eventually would, and say how long that took.
    const compactStart = performance.now();
    await w.exec(`OPTIMIZE TABLE ${TABLES.evidenceBlobs}`);
    log(`compacted ${TABLES.evidenceBlobs} (RocksDB CompactRange) in ${fmt((performance.now() - compactStart) / 1000)} s`);

    // One signed checkpoint per shard over all its leaves, as the notary would leave it.
    const signer = generateSigningKey('probity-bench-notary');
    await w.insert(
      TABLES.checkpoints,
      shards.map((s, shard) => {
        const root = treeHash(s.size, s.read);
        return { shard, size: s.size, root_hash_hex: toHex(root), signed_note: signCheckpoint({ origin: `probity.bench/log/shard/${shard}`, size: s.size, rootHash: root }, signer), created_at: new Date().toISOString() };
      }),
    );
  }
  shards.length = 0;

  const parts = await w.query<{ table: string; rows: string; parts: string; bytes: string }>(
    `SELECT table, sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS bytes FROM system.parts
     WHERE database = currentDatabase() AND active GROUP BY table ORDER BY table`,
  );
  let totalBytes = 0;
  for (const p of parts) {
    totalBytes += Number(p.bytes);
    log(`  ${p.table.padEnd(22)} ${fmt(Number(p.rows), 0).padStart(12)} rows  ${String(p.parts).padStart(4)} parts  ${fmt(Number(p.bytes) / 1e6).padStart(9)} MB  ${fmt(Number(p.bytes) / Math.max(1, Number(p.rows)), 0).padStart(5)} B/row`);
  }
  // Key-value tables have no parts: measure their directories.
  const kvTables = await w.query<{ name: string; data_paths: string[] }>(
    `SELECT name, data_paths FROM system.tables WHERE database = currentDatabase() AND engine = 'EmbeddedRocksDB' ORDER BY name`,
  );
  for (const t of kvTables) {
    const bytes = t.data_paths.reduce((sum, p) => sum + directoryBytes(path.isAbsolute(p) ? p : path.join(dataDir, p)), 0);
    totalBytes += bytes;
    log(`  ${t.name.padEnd(22)} ${fmt(ROWS, 0).padStart(12)} rows  RocksDB  ${fmt(bytes / 1e6).padStart(9)} MB  ${fmt(bytes / ROWS, 0).padStart(5)} B/row`);
  }
  log(`  on disk, all tables: ${fmt(totalBytes / 1e6)} MB = ${fmt(totalBytes / ROWS, 0)} B per evidence row`);

  const app = await buildAuditApp({ warehouse: w });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const tokens = new Map<string, string>();
  for (const t of TENANTS) tokens.set(t, (await createToken(w, { tenant: t, role: 'auditor' })).token);
  const repository = new EvidenceRepository(w);

  const http = async (url: string, tenant: string): Promise<number> => {
    const res = await fetch(`${address}${url}`, { headers: { authorization: `Bearer ${tokens.get(tenant)}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 300)}`);
    return body.length;
  };

  // Warm-up: the stored-hash cache of every shard (the API builds it from log_leaves_v1 on first use).
  const warm0 = performance.now();
  for (let shard = 0; shard < SHARDS; shard++) await http(`/v1/log/${shard}/proof/inclusion?index=0`, TENANTS[0]!);
  log(`API warm-up: stored-hash cache of ${SHARDS} shards (${fmt(ROWS, 0)} leaves) built from log_leaves_v1 in ${fmt((performance.now() - warm0) / 1000)} s`);

  const pick = (i: number) => samples[(i * 7919) % samples.length]!;
  const quarterOf = (i: number) => {
    const year = 2020 + (i % 7);
    const q = (i >> 3) % 4;
    return { from: new Date(Date.UTC(year, q * 3, 1)), to: new Date(Date.UTC(year, q * 3 + 3, 1)) };
  };
  const iso = (d: Date) => d.toISOString();

  interface Case {
    name: string;
    target: string;
    api: (i: number) => Promise<unknown>;
    bare: (i: number) => Promise<unknown>;
  }
  const cases: Case[] = [
    {
      name: 'point lookup by hash',
      target: 'p99 < 10 ms',
      api: (i) => http(`/v1/evidence/${pick(i).hash}`, pick(i).tenant),
      bare: async (i) => {
        const row = await repository.byHash(pick(i).tenant, pick(i).hash);
        if (!row) throw new Error('sample hash not found');
        return row;
      },
    },
    {
      name: 'lookup by run id (≤100)',
      target: '',
      api: (i) => http(`/v1/evidence?run_id=${pick(i).runId}&limit=100`, pick(i).tenant),
      bare: (i) => repository.page(pick(i).tenant, { filters: { runId: pick(i).runId }, order: 'desc', limit: 100, after: undefined }),
    },
    {
      name: 'model quarter, page of 100',
      target: 'p95 < 50 ms',
      api: (i) => {
        const { from, to } = quarterOf(i);
        return http(`/v1/evidence?model_id=${pick(i).model}&from=${iso(from)}&to=${iso(to)}&limit=100`, pick(i).tenant);
      },
      bare: (i) => {
        const { from, to } = quarterOf(i);
        return repository.page(pick(i).tenant, { filters: { modelId: pick(i).model, from, to }, order: 'desc', limit: 100, after: undefined });
      },
    },
    {
      name: 'quarter coverage by control',
      target: 'p95 < 200 ms',
      api: (i) => {
        const { from, to } = quarterOf(i);
        return http(`/v1/coverage?from=${iso(from)}&to=${iso(to)}&framework=iso42001`, pick(i).tenant);
      },
      bare: (i) => {
        const { from, to } = quarterOf(i);
        return repository.countsByControl(pick(i).tenant, from, to, 'iso42001');
      },
    },
  ];

  log('');
  log(`latency over ${SAMPLES} sequential requests each (ms)         API p50 / p95 / p99        bare p50 / p95 / p99     API/bare (p50, p95)  target`);
  for (const c of cases) {
    for (let i = 0; i < 20; i++) {
      await c.api(i);
      await c.bare(i);
    }
    const api: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      // Interleaved, so background merges hit both alike; on different
      // samples, so neither reads data the other has just brought into cache.
      let t = performance.now();
      await c.bare(i + 100);
      bare.push(performance.now() - t);
      t = performance.now();
      await c.api(i + 100 + SAMPLES);
      api.push(performance.now() - t);
    }
    const a = percentiles(api);
    const b = percentiles(bare);
    const f = (p: { p50: number; p95: number; p99: number }) => `${p.p50.toFixed(1).padStart(6)} / ${p.p95.toFixed(1).padStart(6)} / ${p.p99.toFixed(1).padStart(6)}`;
    log(`  ${c.name.padEnd(30)} ${f(a)}   ${f(b)}   ${(a.p50 / b.p50).toFixed(2).padStart(5)}, ${(a.p95 / b.p95).toFixed(2).padStart(5)}   ${c.target}`);
  }

  await app.close();
  await w.close();
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
}

await main();
