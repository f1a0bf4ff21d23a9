import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EVIDENCE_COPIES,
  EVIDENCE_INSERT_COLUMNS,
  EVIDENCE_SELECT_LIST,
  MIGRATIONS,
  TenantScopedQuery,
  buildEvidenceRow,
  evidenceLookupKey,
  insertEvidenceDeduplicated,
  purgeExpiredEvidence,
  openWarehouse,
  runMigrations,
} from '@probity/warehouse';
import type { EvidenceRow, Warehouse } from '@probity/warehouse';
import { repoRoot, runProcess } from '../helpers/index.js';

// Embedded chDB by default; the same tests run against a server when CLICKHOUSE_URL is set.
const clickhouseUrl = process.env.CLICKHOUSE_URL || undefined;
const database = `test_${randomBytes(6).toString('hex')}`;
// chDB opens one data directory per process; vitest runs each file in its own process.
const dataDir = mkdtempSync(path.join(tmpdir(), 'probity-warehouse-'));

let warehouse: Warehouse;

beforeAll(async () => {
  warehouse = await openWarehouse({ database, dataDir, ...(clickhouseUrl ? { clickhouseUrl } : {}) });
});

afterAll(async () => {
  if (clickhouseUrl) await warehouse?.exec(`DROP DATABASE IF EXISTS ${database}`);
  await warehouse?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every fourth hash ends in 0x00: such hashes once slipped through the existence check (see hashFromHexParam). */
function hashFor(i: number): string {
  const bytes = randomBytes(32);
  if (i % 4 === 0) bytes[31] = 0;
  return bytes.toString('hex');
}

function evidence(tenant: string, i: number, runId = `run-${i % 3}`): EvidenceRow {
  return buildEvidenceRow({
    tenant,
    contentHash: hashFor(i),
    recordType: 'TrainingRun',
    schemaFingerprint: '0123456789abcdef',
    modelId: 'fraud',
    modelVersion: '1.0.0',
    stage: i % 2 ? 'training' : 'evaluation',
    runId,
    manifestId: `m-${i}`,
    occurredAt: new Date(Date.UTC(2026, i % 12, 1 + (i % 27), 10, 0, 0, i % 1000)),
    notarizedAt: new Date(),
    principal: 'ci@example',
    controls: ['A.6.2.4', 'A.7.5'],
    shard: 1,
    leafIndex: i,
    record: new Uint8Array([0xc3, 0x01, i % 256, 0x00, 0xff]),
    recordJson: JSON.stringify({ i }),
    envelopeJson: '{"payloadType":"x"}',
    ingestPartition: 0,
    ingestOffset: i,
  });
}

describe(`warehouse (${clickhouseUrl ? 'clickhouse-server' : 'chdb'})`, () => {
  it('pings with the engine version', async () => {
    const { version, latencyMs } = await warehouse.ping();
    expect(warehouse.kind).toBe(clickhouseUrl ? 'clickhouse-server' : 'chdb');
    expect(version).toMatch(/^\d+\.\d+/);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('creates a table, inserts rows and Buffers, and queries with bound parameters', async () => {
    const table = `plain_${randomBytes(4).toString('hex')}`;
    await warehouse.exec(`CREATE TABLE ${table} (id UInt64, name String, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id`);
    await warehouse.insert(table, [
      { id: 1, name: "o'brien", at: '2026-01-01T00:00:00.000Z' },
      { id: 2, name: 'b', at: '2026-01-02 00:00:00.000' },
    ]);
    await warehouse.insert(table, Buffer.from('{"id":3,"name":"c","at":"2026-01-03 00:00:00"}\n'));
    const rows = await warehouse.query<{ id: string; name: string }>(
      `SELECT id, name FROM ${table} WHERE name = {name:String} OR id > {min:UInt64} ORDER BY id`,
      { name: "o'brien", min: 2 },
    );
    expect(rows).toEqual([{ id: '1', name: "o'brien" }, { id: '3', name: 'c' }]);
    const [count] = await warehouse.query<{ n: number }>(`SELECT toUInt32(count()) AS n FROM ${table}`);
    expect(count?.n).toBe(3);
  });

  it('streams large results and can stop early', async () => {
    let n = 0;
    let sum = 0;
    for await (const row of warehouse.queryStream('SELECT toUInt32(number) AS v FROM numbers({n:UInt32})', { n: 50_000 })) {
      n += 1;
      sum += row.v as number;
    }
    expect(n).toBe(50_000);
    expect(sum).toBe((49_999 * 50_000) / 2);
    let seen = 0;
    for await (const _row of warehouse.queryStream('SELECT number FROM numbers(1000000)')) {
      seen += 1;
      if (seen === 10) break;
    }
    expect(seen).toBe(10);
    // The warehouse still works after an abandoned stream.
    expect(await warehouse.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('runs migrations once, and a second run applies nothing', async () => {
    const first = await runMigrations(warehouse, { database });
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.name));
    const second = await runMigrations(warehouse, { database });
    expect(second.applied).toEqual([]);
    const tables = await warehouse.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db: database });
    const names = tables.map((t) => t.name);
    for (const t of ['evidence_v1', 'evidence_by_hash_v1', 'evidence_by_run_v1', 'inference_v1', 'study_results_v1', 'incidents_v1', 'log_leaves_v1', 'checkpoints_v1', 'api_tokens_v1', 'tenants_v1', 'schema_migrations']) {
      expect(names).toContain(t);
    }
    const recorded = await warehouse.query<{ n: number }>(`SELECT toUInt32(count(DISTINCT version)) AS n FROM ${database}.schema_migrations`);
    expect(recorded[0]?.n).toBe(MIGRATIONS.length);
  });

  it('stores evidence hashes and Avro bytes exactly and fills the lookup tables', async () => {
    const row = evidence('tenant-roundtrip', 7);
    expect(await insertEvidenceDeduplicated(warehouse, [row])).toEqual({ inserted: 1, duplicates: 0, repaired: 0 });
    const [back] = await warehouse.query<Record<string, unknown>>(
      `SELECT ${EVIDENCE_SELECT_LIST} FROM evidence_v1 WHERE tenant = {tenant:String} AND content_hash = toFixedString(unhex({h:String}), 32)`,
      { tenant: row.tenant, h: row.content_hash_hex },
    );
    expect(back).toMatchObject({ content_hash_hex: row.content_hash_hex, record_base64: row.record_base64, controls: row.controls, leaf_index: '7' });
    const [byRun] = await warehouse.query<{ h: string }>(
      'SELECT lower(hex(content_hash)) AS h FROM evidence_by_run_v1 WHERE tenant = {tenant:String} AND run_id = {run:String}',
      { tenant: row.tenant, run: row.run_id },
    );
    expect(byRun?.h).toBe(row.content_hash_hex);
  });

  it('never stores a content hash twice, whatever the batch boundaries of a redelivery', async () => {
    const tenant = `tenant-dedup-${randomBytes(3).toString('hex')}`;
    const rows = Array.from({ length: 60 }, (_, i) => evidence(tenant, i));
    // First delivery: crashed after two batches, 35 rows in.
    expect(await insertEvidenceDeduplicated(warehouse, rows.slice(0, 10))).toEqual({ inserted: 10, duplicates: 0, repaired: 0 });
    expect(await insertEvidenceDeduplicated(warehouse, rows.slice(10, 35))).toEqual({ inserted: 25, duplicates: 0, repaired: 0 });
    // Redelivery after restart, cut differently and with a repeat inside one batch.
    expect(await insertEvidenceDeduplicated(warehouse, [...rows.slice(0, 20), rows[5]!])).toEqual({ inserted: 0, duplicates: 21, repaired: 0 });
    expect(await insertEvidenceDeduplicated(warehouse, rows.slice(20, 60))).toEqual({ inserted: 25, duplicates: 15, repaired: 0 });
    // And once more, all at once.
    expect(await insertEvidenceDeduplicated(warehouse, rows)).toEqual({ inserted: 0, duplicates: 60, repaired: 0 });

    for (const table of ['evidence_v1', 'evidence_by_hash_v1', 'evidence_by_run_v1']) {
      const [stats] = await warehouse.query<{ n: number; distinct_hashes: number; max_per_hash: number }>(
        `SELECT toUInt32(sum(c)) AS n, toUInt32(count()) AS distinct_hashes, toUInt32(max(c)) AS max_per_hash
         FROM (SELECT content_hash, count() AS c FROM ${table} WHERE tenant = {tenant:String} GROUP BY content_hash)`,
        { tenant },
      );
      expect(stats, table).toEqual({ n: 60, distinct_hashes: 60, max_per_hash: 1 });
    }
  });

  it('puts back exactly one copy in every table of a row a crash left in some tables only, whichever they are', async () => {
    const tenant = `tenant-partial-${randomBytes(3).toString('hex')}`;
    const rows = Array.from({ length: 12 }, (_, i) => evidence(tenant, 300 + i));
    // Typed tables too: an inference record and an incident (the incidents view keys by incident id and notarized time).
    rows[6] = { ...rows[6]!, record_type: 'InferenceRecord', record_json: JSON.stringify({ features: { x: 1 }, prediction: 0.5, latency_ms: 3 }) };
    rows[7] = { ...rows[7]!, record_type: 'Incident', manifest_id: `inc-${tenant}`, record_json: JSON.stringify({ incident_id: `inc-${tenant}`, severity: 'HIGH', status: 'OPEN', title: 't' }) };
    expect(await insertEvidenceDeduplicated(warehouse, rows.slice(0, 9))).toEqual({ inserted: 9, duplicates: 0, repaired: 0 });

    // What a SIGKILL mid-insert can leave: the main table's part committed but not a view's, or the reverse.
    const drop = (table: string, picked: EvidenceRow[]) =>
      warehouse.exec(`DELETE FROM ${table} WHERE tenant = {t:String} AND content_hash IN (SELECT toFixedString(unhex(arrayJoin({h:Array(String)})), 32)) SETTINGS lightweight_deletes_sync = 2`, {
        t: tenant,
        h: picked.map((r) => r.content_hash_hex),
      });
    await drop('evidence_by_hash_v1', rows.slice(0, 3));
    await drop('log_leaves_v1', [rows[1]!]);
    await drop('evidence_by_run_v1', [rows[2]!]);
    await drop('evidence_v1', [rows[3]!, rows[4]!]);
    await drop('inference_v1', [rows[6]!]);
    await warehouse.exec(`DELETE FROM incidents_v1 WHERE tenant = {t:String} SETTINGS lightweight_deletes_sync = 2`, { t: tenant });

    // The redelivery, cut differently: 7 rows to repair, 2 already everywhere, 3 new ones.
    expect(await insertEvidenceDeduplicated(warehouse, [...rows].reverse())).toEqual({ inserted: 3, duplicates: 2, repaired: 7 });
    // Another redelivery changes nothing.
    expect(await insertEvidenceDeduplicated(warehouse, rows)).toEqual({ inserted: 0, duplicates: 12, repaired: 0 });

    const hashes = rows.map((r) => r.content_hash_hex).sort();
    for (const table of ['evidence_v1', 'evidence_by_hash_v1', 'evidence_by_run_v1', 'log_leaves_v1', 'evidence_blobs_v2']) {
      const found = await warehouse.query<{ h: string; n: string }>(
        `SELECT lower(hex(content_hash)) AS h, count() AS n FROM ${table} WHERE tenant = {t:String} GROUP BY h ORDER BY h`,
        { t: tenant },
      );
      expect({ table, found }).toEqual({ table, found: hashes.map((h) => ({ h, n: '1' })) });
    }
    const typed = await warehouse.query<{ t: string; n: string }>(
      `SELECT t, n FROM (SELECT 'inference' AS t, toString(count()) AS n FROM inference_v1 WHERE tenant = {t:String}
       UNION ALL SELECT 'incidents' AS t, toString(count()) AS n FROM incidents_v1 WHERE tenant = {t:String}) ORDER BY t`,
      { t: tenant },
    );
    expect(typed).toEqual([{ t: 'incidents', n: '1' }, { t: 'inference', n: '1' }]);
  });

  it('repairs a redelivery cut exactly like the crashed insert (the engine must not drop the rewrite as a repeat)', async () => {
    const tenant = `tenant-same-cut-${randomBytes(3).toString('hex')}`;
    const rows = Array.from({ length: 5 }, (_, i) => evidence(tenant, 400 + i));
    await insertEvidenceDeduplicated(warehouse, rows);
    // The crashed insert reached every table but evidence_by_run_v1; the redelivery is the same batch.
    await warehouse.exec(`DELETE FROM evidence_by_run_v1 WHERE tenant = {t:String} SETTINGS lightweight_deletes_sync = 2`, { t: tenant });
    expect(await insertEvidenceDeduplicated(warehouse, rows)).toEqual({ inserted: 0, duplicates: 0, repaired: 5 });
    for (const table of ['evidence_v1', 'evidence_by_hash_v1', 'evidence_by_run_v1', 'log_leaves_v1', 'evidence_blobs_v2']) {
      const [row] = await warehouse.query<{ n: string; u: string }>(`SELECT count() AS n, uniqExact(content_hash) AS u FROM ${table} WHERE tenant = {t:String}`, { t: tenant });
      expect({ table, ...row }).toEqual({ table, n: '5', u: '5' });
    }
  });

  it('checks every table a view fills from evidence_v1 (a new view cannot be left out of the exactly-once check)', async () => {
    if (clickhouseUrl) return expect(warehouse.kind).toBe('clickhouse-server');
    const views = await warehouse.query<{ create_table_query: string }>(
      `SELECT create_table_query FROM system.tables WHERE database = {db:String} AND engine = 'MaterializedView'`,
      { db: database },
    );
    const targets = views
      .filter((v) => new RegExp(`FROM ${database}\\.evidence_v1\\b`).test(v.create_table_query))
      .map((v) => new RegExp(`TO ${database}\\.(\\w+)`).exec(v.create_table_query)![1]!);
    expect(new Set(EVIDENCE_COPIES.map((c) => c.table))).toEqual(new Set(['evidence_v1', ...targets]));
  });

  it('drops an exact retry of an insert that carries the same deduplication token', async () => {
    if (clickhouseUrl && !(await serverSupportsTokens())) return expect(warehouse.kind).toBe('clickhouse-server');
    const tenant = `tenant-token-${randomBytes(3).toString('hex')}`;
    const rows = [evidence(tenant, 1), evidence(tenant, 2)] as unknown as Record<string, unknown>[];
    await warehouse.insert('evidence_v1', rows, { columns: EVIDENCE_INSERT_COLUMNS, deduplicationToken: `t-${tenant}` });
    await warehouse.insert('evidence_v1', rows, { columns: EVIDENCE_INSERT_COLUMNS, deduplicationToken: `t-${tenant}` });
    const [main] = await warehouse.query<{ n: number }>('SELECT toUInt32(count()) AS n FROM evidence_v1 WHERE tenant = {t:String}', { t: tenant });
    const [lookup] = await warehouse.query<{ n: number }>('SELECT toUInt32(count()) AS n FROM evidence_by_hash_v1 WHERE tenant = {t:String}', { t: tenant });
    expect(main?.n).toBe(2);
    expect(lookup?.n).toBe(2);
  });

  it('rejects an evidence row without its hash (the EPHEMERAL input column was not named)', async () => {
    const row = evidence('tenant-nohash', 1) as unknown as Record<string, unknown>;
    const { content_hash_hex: _dropped, ...withoutHash } = row;
    await expect(warehouse.insert('evidence_v1', [withoutHash])).rejects.toMatchObject({ code: 'INSERT_FAILED' });
  });

  it('scopes TenantScopedQuery results to one tenant', async () => {
    const a = evidence('tenant-a', 1, 'shared-run');
    const b = evidence('tenant-b', 2, 'shared-run');
    await insertEvidenceDeduplicated(warehouse, [a, b]);
    const { sql, params } = TenantScopedQuery.from('evidence_by_run_v1', 'tenant-a').select(['content_hash', 'run_id']).where('run_id', 'eq', 'shared-run').build();
    expect(await warehouse.query(sql, params)).toEqual([{ content_hash_hex: a.content_hash_hex, run_id: 'shared-run' }]);
    const byHash = TenantScopedQuery.from('evidence_v1', 'tenant-b').select(['content_hash', 'record']).where('content_hash', 'in', [a.content_hash_hex, b.content_hash_hex]).build();
    expect(await warehouse.query(byHash.sql, byHash.params)).toEqual([{ content_hash_hex: b.content_hash_hex, record_base64: b.record_base64 }]);
  });

  it('answers a point lookup with one RocksDB Get, once per hash, only for its tenant, until retention ends', async () => {
    const tenant = `tenant-get-${randomBytes(3).toString('hex')}`;
    const rows = Array.from({ length: 8 }, (_, i) => evidence(tenant, 100 + i));
    await insertEvidenceDeduplicated(warehouse, rows);
    await insertEvidenceDeduplicated(warehouse, rows.slice(0, 4)); // a redelivery
    const lookup = (asTenant: string, hash: string) =>
      TenantScopedQuery.from('evidence_blobs_v2', asTenant)
        .select(['content_hash', 'record', 'envelope_json', 'retention_until'])
        .where('lookup_key', 'eq', evidenceLookupKey(asTenant, hash))
        .limit(1)
        .build();

    const target = rows[3]!;
    const query = lookup(tenant, target.content_hash_hex);
    expect(await warehouse.query(query.sql, query.params)).toEqual([
      { content_hash_hex: target.content_hash_hex, record_base64: target.record_base64, envelope_json: target.envelope_json, retention_until: target.retention_until },
    ]);
    if (!clickhouseUrl) {
      // The plan is a key Get, not a scan (bound parameters included).
      const plan = await warehouse.query<{ explain: string }>(`EXPLAIN indexes = 1 ${query.sql}`, query.params);
      const text = plan.map((r) => r.explain).join('\n');
      expect(text).toContain('ReadFromEmbeddedRocksDB');
      expect(text).toMatch(/ReadType: GetKeys/);
    }
    const [stored] = await warehouse.query<{ n: number }>('SELECT toUInt32(count()) AS n FROM evidence_blobs_v2 WHERE tenant = {t:String}', { t: tenant });
    expect(stored?.n).toBe(8);

    // Another tenant asking for the same hash gets nothing, under its key or under the owner's.
    const other = lookup('tenant-intruder', target.content_hash_hex);
    expect(await warehouse.query(other.sql, other.params)).toEqual([]);
    const forged = TenantScopedQuery.from('evidence_blobs_v2', 'tenant-intruder').select(['content_hash'])
      .where('lookup_key', 'eq', evidenceLookupKey(tenant, target.content_hash_hex)).build();
    expect(await warehouse.query(forged.sql, forged.params)).toEqual([]);

    // Purge as of the day after the retention date: the tenant's rows go; another tenant's later rows stay.
    const keeper = evidence(`tenant-keep-${randomBytes(3).toString('hex')}`, 200);
    const keeperRow = { ...keeper, retention_until: '2099-01-01' };
    await insertEvidenceDeduplicated(warehouse, [keeperRow]);
    const after = new Date(`${target.retention_until}T00:00:00Z`);
    after.setUTCDate(after.getUTCDate() + 400);
    await purgeExpiredEvidence(warehouse, after);
    expect(await warehouse.query(query.sql, query.params)).toEqual([]);
    const kept = lookup(keeperRow.tenant, keeperRow.content_hash_hex);
    expect(await warehouse.query(kept.sql, kept.params)).toHaveLength(1);
  });

  it('maps bad SQL to QUERY_FAILED without echoing the query or data', async () => {
    const err = await warehouse.query("SELEC 'alice@example.com'").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUERY_FAILED', retriable: false, details: { clickhouseCode: 62 } });
    expect((err as Error).message).not.toContain('alice');
    const cast = await warehouse.query("SELECT toUInt64('patient-4711')").catch((e: unknown) => e);
    expect(cast).toMatchObject({ code: 'QUERY_FAILED' });
    expect((cast as Error).message).not.toContain('patient');
    expect(JSON.stringify(cast)).not.toContain('patient');
  });

  it('maps a bad row to INSERT_FAILED without the row in the message', async () => {
    const table = `typed_${randomBytes(4).toString('hex')}`;
    await warehouse.exec(`CREATE TABLE ${table} (id UInt64, name String) ENGINE = MergeTree ORDER BY id`);
    const err = await warehouse.insert(table, [{ id: 'john.doe@example.com', name: 'John Doe' }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INSERT_FAILED', details: { table } });
    expect((err as Error).message).not.toMatch(/john|doe/i);
    expect(JSON.stringify(err)).not.toMatch(/john|doe/i);
    expect((err as { cause?: unknown }).cause).toBeUndefined();
  });

  it('reports an unreachable server as WAREHOUSE_UNAVAILABLE (retriable)', async () => {
    const err = await openWarehouse({ clickhouseUrl: 'http://127.0.0.1:9', database: 'x', dataDir, requestTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WAREHOUSE_UNAVAILABLE', retriable: true });
  });
});

describe.runIf(!clickhouseUrl)('chDB data directory', () => {
  it('maps a directory held by another process to DATA_DIR_LOCKED', async () => {
    const script = `
      import { openWarehouse } from '@probity/warehouse';
      try { await openWarehouse({ database: 'x', dataDir: process.argv[1] }); console.log('OPENED'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const result = await runProcess(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir], { cwd: repoRoot, timeoutMs: 60_000 });
    const line = result.stdout.trim().split('\n').pop() ?? '';
    expect(line).not.toBe('OPENED');
    const parsed = JSON.parse(line) as { code: string; message: string };
    expect(parsed.code).toBe('DATA_DIR_LOCKED');
    expect(parsed.message).toMatch(/another process/);
    expect(parsed.message).toMatch(/CLICKHOUSE_URL/);
  });

  it('maps a second data directory in the same process to DATA_DIR_LOCKED', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'probity-warehouse-other-'));
    try {
      await expect(openWarehouse({ database: 'x', dataDir: other })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

async function serverSupportsTokens(): Promise<boolean> {
  const { version } = await warehouse.ping();
  return Number(version.split('.')[0]) >= 22;
}
