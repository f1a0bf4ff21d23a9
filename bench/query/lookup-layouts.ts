/**
 * Compares table layouts for the point lookup by content hash on a data dir
 * that bench/query/run.ts left behind (`--keep DIR`):
 *   npx tsx bench/query/lookup-layouts.ts DIR [samples]
 * Copies evidence_v1 into variant tables (INSERT … SELECT, then OPTIMIZE
 * FINAL on every table compared, so all have one part per partition) and
 * prints p50/p95/p99 of the lookup, the quarter page and coverage queries,
 * and compressed bytes per row. Prints figures; never fails on them.
 * VARIANTS=evidence_v1,blob_g64 limits the run to some tables.
 */
import { TenantScopedQuery, openWarehouse, type Warehouse } from '@probity/warehouse';

// The API's column lists (services/audit-api evidence-item.ts), repeated: bench code does not deep-import a service.
const SUMMARY_COLUMNS = [
  'content_hash', 'record_type', 'schema_fingerprint', 'model_id', 'model_version', 'stage', 'run_id', 'manifest_id',
  'occurred_at', 'notarized_at', 'principal', 'controls', 'shard', 'leaf_index',
] as const;
const FULL_COLUMNS = [...SUMMARY_COLUMNS, 'record_json', 'record', 'envelope_json'] as const;

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: lookup-layouts.ts DIR [samples]');
const SAMPLES = Number(process.argv[3] ?? 400);
const w: Warehouse = await openWarehouse({ database: 'bench_query', dataDir });

const wideDdl = (name: string, settings: string) => `
  CREATE TABLE IF NOT EXISTS ${name} AS evidence_v1
  ENGINE = MergeTree PARTITION BY toYear(occurred_at) ORDER BY (tenant, model_id, stage, occurred_at, content_hash)
  SETTINGS ${settings}`;
const blobDdl = (name: string, settings: string) => `
  CREATE TABLE IF NOT EXISTS ${name} (
    tenant LowCardinality(String), content_hash FixedString(32), record_type LowCardinality(String),
    schema_fingerprint LowCardinality(String), model_id LowCardinality(String), model_version String,
    stage LowCardinality(String), run_id String, manifest_id String, occurred_at DateTime64(6, 'UTC'),
    notarized_at DateTime64(6, 'UTC'), principal String, controls Array(LowCardinality(String)), shard UInt16,
    leaf_index UInt64, record String CODEC(ZSTD(3)), record_json String CODEC(ZSTD(3)),
    envelope_json String CODEC(ZSTD(3)), retention_until Date)
  ENGINE = MergeTree ORDER BY (tenant, content_hash) SETTINGS ${settings}`;

const variants: { table: string; ddl?: string; kind: 'wide' | 'blob' }[] = [
  { table: 'evidence_v1', kind: 'wide' },
  { table: 'ev_g1m', kind: 'wide', ddl: wideDdl('ev_g1m', 'index_granularity_bytes = 1048576') },
  { table: 'ev_g256k', kind: 'wide', ddl: wideDdl('ev_g256k', 'index_granularity_bytes = 262144') },
  { table: 'blob_g64', kind: 'blob', ddl: blobDdl('blob_g64', 'index_granularity = 64') },
  { table: 'blob_g256', kind: 'blob', ddl: blobDdl('blob_g256', 'index_granularity = 256') },
  { table: 'blob_g64_c16k', kind: 'blob', ddl: blobDdl('blob_g64_c16k', 'index_granularity = 64, min_compress_block_size = 16384, max_compress_block_size = 65536') },
  // What migration 0007 chose: compact parts keep a granule's columns side by side in one file.
  { table: 'blob_g64_compact', kind: 'blob', ddl: blobDdl('blob_g64_compact', `index_granularity = 64, min_bytes_for_wide_part = ${1024 ** 4}`) },
];

const only = process.env.VARIANTS?.split(',');
const chosen = variants.filter((v) => !only || only.includes(v.table));
const BLOB_COLUMNS = 'tenant, content_hash, record_type, schema_fingerprint, model_id, model_version, stage, run_id, manifest_id, occurred_at, notarized_at, principal, controls, shard, leaf_index, record, record_json, envelope_json, retention_until';
for (const v of chosen) {
  if (!v.ddl) continue;
  const [row] = await w.query<{ n: string }>(`SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = {t:String}`, { t: v.table });
  const n = row?.n ?? 0;
  if (Number(n) > 0) continue;
  const t0 = performance.now();
  await w.exec(v.ddl);
  await w.exec(v.kind === 'blob' ? `INSERT INTO ${v.table} (${BLOB_COLUMNS}) SELECT ${BLOB_COLUMNS} FROM evidence_v1` : `INSERT INTO ${v.table} SELECT * FROM evidence_v1`);
  await w.exec(`OPTIMIZE TABLE ${v.table} FINAL`);
  console.log(`built ${v.table} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
if (chosen.some((v) => v.table === 'evidence_v1') && process.env.OPTIMIZE_BASE) await w.exec('OPTIMIZE TABLE evidence_v1 FINAL');

const samples = await w.query<{ tenant: string; h: string; model_id: string }>(
  `SELECT tenant, lower(hex(content_hash)) AS h, model_id FROM evidence_by_hash_v1 ORDER BY cityHash64(content_hash) LIMIT ${SAMPLES * 2}`,
);

function pct(times: number[]): string {
  const s = [...times].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1).padStart(6);
  return `${p(0.5)} / ${p(0.95)} / ${p(0.99)}`;
}
const retarget = (sql: string, table: string) => sql.replaceAll('FROM evidence_v1', `FROM ${table}`);

async function lookup(table: string, kind: 'wide' | 'blob', s: { tenant: string; h: string }): Promise<void> {
  if (kind === 'blob') {
    const q = TenantScopedQuery.from('evidence_v1', s.tenant).select([...FULL_COLUMNS]).where('content_hash', 'eq', s.h).limit(1).build();
    const rows = await w.query(retarget(q.sql, table), q.params);
    if (rows.length !== 1) throw new Error(`${table}: no row`);
    return;
  }
  const locate = TenantScopedQuery.from('evidence_by_hash_v1', s.tenant).select(['model_id', 'stage', 'occurred_at']).where('content_hash', 'eq', s.h).limit(1).build();
  const [key] = await w.query(locate.sql, locate.params);
  const read = TenantScopedQuery.from('evidence_v1', s.tenant).select([...FULL_COLUMNS])
    .where('model_id', 'eq', String(key!.model_id)).where('stage', 'eq', String(key!.stage))
    .where('occurred_at', 'eq', String(key!.occurred_at)).where('content_hash', 'eq', s.h).limit(1).build();
  const rows = await w.query(retarget(read.sql, table), read.params);
  if (rows.length !== 1) throw new Error(`${table}: no row`);
}

const quarter = (i: number) => {
  const year = 2020 + (i % 7);
  const q = (i >> 3) % 4;
  return { from: new Date(Date.UTC(year, q * 3, 1)), to: new Date(Date.UTC(year, q * 3 + 3, 1)) };
};
async function rangePage(table: string, i: number): Promise<void> {
  const s = samples[i % samples.length]!;
  const { from, to } = quarter(i);
  const keys = TenantScopedQuery.from('evidence_v1', s.tenant).select(['occurred_at', 'content_hash', 'model_id', 'stage'])
    .where('model_id', 'eq', s.model_id).where('occurred_at', 'gte', from).where('occurred_at', 'lt', to)
    .orderBy('occurred_at', 'desc').orderBy('content_hash', 'desc').limit(101).build();
  const k = await w.query(retarget(keys.sql, table), keys.params);
  if (k.length === 0) return;
  const page = k.slice(0, 100);
  const times = page.map((r) => String(r.occurred_at)).sort();
  const read = TenantScopedQuery.from('evidence_v1', s.tenant).select([...SUMMARY_COLUMNS, 'record_json'])
    .where('model_id', 'in', [...new Set(page.map((r) => String(r.model_id)))]).where('stage', 'in', [...new Set(page.map((r) => String(r.stage)))])
    .where('occurred_at', 'gte', times[0]!).where('occurred_at', 'lte', times[times.length - 1]!)
    .where('content_hash', 'in', page.map((r) => String(r.content_hash_hex))).build();
  await w.query(retarget(read.sql, table), read.params);
}
async function coverage(table: string, i: number): Promise<void> {
  const s = samples[i % samples.length]!;
  const { from, to } = quarter(i);
  const inner = TenantScopedQuery.from('evidence_v1', s.tenant).select(['controls']).where('occurred_at', 'gte', from).where('occurred_at', 'lt', to).build();
  await w.query(`SELECT control, count() AS records FROM (${retarget(inner.sql, table)}) ARRAY JOIN controls AS control GROUP BY control`, inner.params);
}

console.log(`variant          B/row(cmp)  marks   lookup p50/p95/p99      page p50/p95/p99       coverage p50/p95/p99 (ms)`);
for (const v of chosen) {
  const [size] = await w.query<{ rows: string; bytes: string; marks: string; parts: string }>(
    `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes, sum(marks) AS marks, count() AS parts FROM system.parts WHERE database = currentDatabase() AND active AND table = {t:String}`,
    { t: v.table },
  );
  const run = async (f: (i: number) => Promise<void>, n: number) => {
    for (let i = 0; i < 20; i++) await f(i);
    const t: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await f(i + 20);
      t.push(performance.now() - t0);
    }
    return pct(t);
  };
  const l = await run((i) => lookup(v.table, v.kind, samples[i % samples.length]!), SAMPLES);
  const p = v.kind === 'wide' ? await run((i) => rangePage(v.table, i), 100) : '-';
  const c = v.kind === 'wide' ? await run((i) => coverage(v.table, i), 60) : '-';
  console.log(`${v.table.padEnd(16)} ${(Number(size!.bytes) / Number(size!.rows)).toFixed(0).padStart(6)}  ${String(size!.marks).padStart(7)}/${size!.parts}p  ${l}   ${p}   ${c}`);
}
await w.close();
