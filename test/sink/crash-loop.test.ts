import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAuditApp, createToken } from '@probity/audit-api';
import { parseSignedBatch } from '@probity/evidence';
import { defaultRegistry } from '@probity/schema';
import { openConfiguredWarehouse, type Warehouse } from '@probity/warehouse';
import { repoRoot, waitFor } from '../helpers/index.js';
import { notaryHarness, type NotaryHarness } from '../notary/fixtures.js';

/**
 * Exactly once in the warehouse whatever crashes: records flow while the
 * process that writes the warehouse is killed with SIGKILL at random points
 * and restarted, then every table and every read endpoint must hold each
 * emitted hash exactly once. Two modes: the sink alone (the notary runs in
 * this test process), and the notary and the sink in one process, as
 * `probity up` runs them. The longer run is the same test with more kills
 * and records: PROBITY_CRASH_LOOP_KILLS, PROBITY_CRASH_LOOP_RECORDS. With
 * CLICKHOUSE_URL set, the killed processes and the checks use that server
 * (a modern one: the schema needs bound parameters, EPHEMERAL columns,
 * lightweight DELETE and EmbeddedRocksDB).
 */
const KILLS = Number(process.env.PROBITY_CRASH_LOOP_KILLS ?? 10);
const RECORDS = Number(process.env.PROBITY_CRASH_LOOP_RECORDS ?? 20_000);
/**
 * Where kills land: a fifth during start-up, three tenths up to this long after the process says it is
 * ready, and the other half the moment the engine is writing a part of a table a view fills (chDB only):
 * the window in which an insert has reached some tables and not others.
 */
const MAX_KILL_DELAY_MS = Number(process.env.PROBITY_CRASH_LOOP_MAX_DELAY_MS ?? 2_500);
const TENANTS = ['acme', 'globex'];

const registry = defaultRegistry();
const training = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/examples/EvidenceManifest.training.json'), 'utf8')) as Record<string, unknown>;
const inference = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/examples/InferenceRecord.json'), 'utf8')) as Record<string, unknown>;

interface Emitted {
  tenant: string;
  contentHash: string;
  recordType: 'EvidenceManifest' | 'InferenceRecord';
  controls: string[];
  bytes: Buffer;
}

/** Three training manifests to one inference record, alternating tenants; every record distinct. */
function makeRecords(count: number): Emitted[] {
  const runTag = randomUUID();
  return Array.from({ length: count }, (_, n) => {
    const tenant = TENANTS[n % TENANTS.length]!;
    const occurredAt = new Date(Date.UTC(2026, 6, 1) + n * 1000).toISOString();
    const isInference = n % 4 === 3;
    const recordType = isInference ? 'InferenceRecord' : 'EvidenceManifest';
    const json: Record<string, unknown> = isInference
      ? { ...inference, tenant, request_id: `req-${runTag}-${n}`, occurred_at: occurredAt }
      : { ...training, tenant, manifest_id: randomUUID(), run_id: `run-${n % 50}`, occurred_at: occurredAt };
    const parsed = registry.fromJson(recordType, json);
    if (!parsed.ok) throw new Error(`fixture ${recordType} invalid: ${JSON.stringify(parsed.issues)}`);
    const bytes = registry.encode(recordType, parsed.value);
    return { tenant, recordType, bytes, contentHash: createHash('sha256').update(bytes).digest('hex'), controls: (json.controls as string[] | undefined) ?? [] };
  });
}

type Mode = 'sink' | 'notary+sink';

interface LoopReport {
  mode: Mode;
  kills: number;
  killsBeforeReady: number;
  killsMidInsert: number;
  records: number;
  duplicates: Record<string, number>;
  /** Identities absent per table (a copy lost). */
  missing: Record<string, number>;
  /** Mean time from spawn to ready, the final catch-up, and the whole loop. */
  startMs: number;
  catchUpSeconds: number;
  seconds: number;
}

const children = new Set<ChildProcess>();
const harnesses: NotaryHarness[] = [];
const reports: LoopReport[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const h of harnesses) await h.cleanup();
  for (const report of reports) process.stdout.write(`crash loop ${JSON.stringify(report)}\n`);
});

const progress = (message: string) => {
  if (process.env.PROBITY_CRASH_LOOP_VERBOSE) process.stderr.write(`[crash loop] ${message}\n`);
};

function startChild(mode: Mode, harness: NotaryHarness, dataDir: string, database: string): { child: ChildProcess; ready: Promise<void>; exited: Promise<string>; output: () => string } {
  const entry = mode === 'sink' ? 'services/sink/src/main.ts' : 'test/sink/notary-and-sink-process.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PROBITY_DATA_DIR: dataDir,
      CLICKHOUSE_DATABASE: database,
      PROBITY_TOPIC_NAMESPACE: harness.topics.raw.replace('.probity.evidence.raw', ''),
      PROBITY_TOPIC_PARTITIONS: '3',
      NOTARY_GROUP_ID: harness.groupId,
      NOTARY_LOG_ORIGIN: 'probity.test/evidence',
      SINK_GROUP_ID: `${harness.groupId}-sink`,
      SINK_BATCH_MIN_BYTES: '1',
      SINK_BATCH_MAX_WAIT_MS: '50',
      // A restart waits for the killed member to leave the group: the broker's minimum, not 30 s.
      SINK_SESSION_TIMEOUT_MS: '6000',
      NOTARY_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let errors = '';
  let last = () => errors;
  child.stderr!.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString('utf8')).slice(-4000);
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
  });
  const ready = new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-8000);
      if (/sink ready|stack ready/.test(seen)) resolve();
    });
    last = () => `${seen}\n${errors}`;
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`${entry} exited (${code ?? signal}) before it was ready: ${errors}`));
    });
  });
  ready.catch(() => undefined);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`${entry} exited (${code ?? signal}): ${errors}`)));
  return { child, ready, exited, output: () => last() };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tables filled by views from evidence_v1: a part being written there means the source's part may already be committed. */
const VIEW_TARGETS = ['evidence_by_hash_v1', 'evidence_by_run_v1', 'log_leaves_v1', 'inference_v1'];

/** Resolves true as soon as chDB is writing a part (tmp_insert_*) of a view's table, false after `timeoutMs`. */
async function untilViewPartInFlight(dataDir: string, database: string, timeoutMs: number): Promise<boolean> {
  const dirs = VIEW_TARGETS.map((t) => path.join(dataDir, 'chdb', 'data', database, t));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const dir of dirs) {
      try {
        if (readdirSync(dir).some((name) => name.startsWith('tmp_insert'))) return true;
      } catch {
        // Not created yet (migrations still running).
      }
    }
    await sleep(1);
  }
  return false;
}

async function crashLoop(mode: Mode): Promise<LoopReport> {
  const started = Date.now();
  const harness = await notaryHarness(3);
  harnesses.push(harness);
  if (mode === 'sink') await harness.startNotary();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'crash-loop-'));
  const database = `crashloop_${Date.now()}`;
  const records = makeRecords(RECORDS);

  // Records flow throughout: one wave before each (re)start, the last before the final run.
  const waves = KILLS + 1;
  const perWave = Math.ceil(records.length / waves);
  const produceWave = async (k: number) => {
    const wave = records.slice(k * perWave, (k + 1) * perWave);
    for (let i = 0; i < wave.length; i += 1000) {
      await harness.produceRaw(wave.slice(i, i + 1000).map((r) => ({ key: r.contentHash, value: r.bytes })));
    }
  };

  let killsBeforeReady = 0;
  let killsMidInsert = 0;
  const startTimes: number[] = [];
  for (let k = 0; k < KILLS; k += 1) {
    const producing = produceWave(k);
    const spawned = Date.now();
    const { child, ready } = startChild(mode, harness, dataDir, database);
    void ready.then(() => startTimes.push(Date.now() - spawned));
    const where = Math.random();
    if (where < 0.2) {
      // Somewhere in start-up: opening chDB, migrations, joining the group, recovering shards.
      await sleep(Math.random() * 4_000);
      if (await Promise.race([ready.then(() => false), sleep(0).then(() => true)])) killsBeforeReady += 1;
    } else if (where < 0.5 || process.env.CLICKHOUSE_URL) {
      await ready;
      await sleep(Math.random() * MAX_KILL_DELAY_MS);
    } else {
      await ready;
      if (await untilViewPartInFlight(dataDir, database, MAX_KILL_DELAY_MS)) killsMidInsert += 1;
    }
    progress(`${mode}: kill ${k + 1}/${KILLS} after ${Date.now() - spawned} ms`);
    await stop(child, 'SIGKILL');
    await producing;
  }
  await produceWave(KILLS);

  // The final run goes until the sink has committed past the last signed batch of every partition.
  const catchUpFrom = Date.now();
  const { child, exited, output } = startChild(mode, harness, dataDir, database);
  // A final run that dies fails the test with its error instead of waiting out the timeouts.
  const died = exited.then((why) => Promise.reject(new Error(why)));
  died.catch(() => undefined);
  progress(`${mode}: final run`);
  const { records: signed, messages } = await Promise.race([harness.readSigned(records.length, 240_000), died]);
  progress(`${mode}: all ${signed.length} records signed`);
  expect(signed).toHaveLength(records.length);
  const lastOffsets = new Map<number, bigint>();
  for (const message of messages) {
    const shard = parseSignedBatch(message.value).shard;
    const offset = BigInt(message.offset);
    if ((lastOffsets.get(shard) ?? -1n) < offset) lastOffsets.set(shard, offset);
  }
  const admin = harness.kafka.admin();
  await admin.connect();
  try {
    const caughtUp = waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId: `${harness.groupId}-sink`, topics: [harness.topics.signed] });
        return [...lastOffsets].every(([partition, last]) => BigInt(committed!.partitions.find((p) => p.partition === partition)?.offset ?? '-1') > last);
      },
      { timeoutMs: 180_000, intervalMs: 500, message: 'the restarted sink to commit past every signed record' },
    );
    await Promise.race([caughtUp, died]).catch((err: Error) => {
      // The process's last log lines say where it stands.
      throw new Error(`${err.message}\n--- last output of the final run ---\n${output().slice(-6000)}`);
    });
  } finally {
    await admin.disconnect();
  }
  await stop(child, 'SIGTERM');
  const catchUpSeconds = Math.round((Date.now() - catchUpFrom) / 1000);

  // The child is gone, so this process may open its chDB directory.
  const warehouse = await openConfiguredWarehouse({ CLICKHOUSE_DATABASE: database, PROBITY_DATA_DIR: dataDir, CLICKHOUSE_URL: process.env.CLICKHOUSE_URL || undefined });
  try {
    const { duplicates, missing } = await countDuplicates(warehouse, database, records);
    const startMs = Math.round(startTimes.reduce((a, b) => a + b, 0) / Math.max(1, startTimes.length));
    const report: LoopReport = { mode, kills: KILLS, killsBeforeReady, killsMidInsert, records: records.length, duplicates, missing, startMs, catchUpSeconds, seconds: Math.round((Date.now() - started) / 1000) };
    reports.push(report);
    await assertExactlyOnceEverywhere(warehouse, database, records, dataDir);
    return report;
  } finally {
    await warehouse.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Rows beyond one per identity, and identities missing, per table: the figures the report gives (0 when exactly once). */
async function countDuplicates(warehouse: Warehouse, db: string, records: Emitted[]): Promise<{ duplicates: Record<string, number>; missing: Record<string, number> }> {
  const inference = records.filter((r) => r.recordType === 'InferenceRecord').length;
  const identity: Record<string, string> = {
    evidence_v1: 'tenant, content_hash',
    evidence_by_hash_v1: 'tenant, content_hash',
    evidence_by_run_v1: 'tenant, content_hash',
    evidence_blobs_v2: 'lookup_key',
    log_leaves_v1: 'shard, leaf_index',
    inference_v1: 'tenant, content_hash',
    checkpoints_v1: 'shard, size',
  };
  const duplicates: Record<string, number> = {};
  const missing: Record<string, number> = {};
  for (const [table, key] of Object.entries(identity)) {
    const [row] = await warehouse.query<{ n: string; u: string }>(`SELECT count() AS n, uniqExact(${key}) AS u FROM ${db}.${table}`);
    duplicates[table] = Number(row!.n) - Number(row!.u);
    if (table !== 'checkpoints_v1') missing[table] = (table === 'inference_v1' ? inference : records.length) - Number(row!.u);
  }
  return { duplicates, missing };
}

async function assertExactlyOnceEverywhere(warehouse: Warehouse, db: string, records: Emitted[], dataDir: string): Promise<void> {
  const expected = new Set(records.map((r) => `${r.tenant}:${r.contentHash}`));
  const inferenceCount = records.filter((r) => r.recordType === 'InferenceRecord').length;

  // Tables: every emitted hash present, each exactly once.
  const perHash = async (table: string, keyExpr: string) => {
    const rows = await warehouse.query<{ k: string; n: string }>(`SELECT ${keyExpr} AS k, count() AS n FROM ${db}.${table} GROUP BY k`);
    const repeated = rows.filter((r) => r.n !== '1').length;
    expect({ table, rows: rows.length, repeated }).toEqual({ table, rows: table === 'inference_v1' ? inferenceCount : expected.size, repeated: 0 });
    if (table !== 'inference_v1') expect(new Set(rows.map((r) => r.k))).toEqual(expected);
  };
  const hashKey = `concat(tenant, ':', lower(hex(content_hash)))`;
  await perHash('evidence_v1', hashKey);
  await perHash('evidence_by_hash_v1', hashKey);
  await perHash('evidence_by_run_v1', hashKey);
  await perHash('evidence_blobs_v2', 'lookup_key');
  await perHash('log_leaves_v1', hashKey);
  await perHash('inference_v1', hashKey);

  // The log: one leaf per index, indexes 0..n-1 in every shard; one checkpoint row per (shard, size).
  const shards = await warehouse.query<{ shard: number; n: string; u: string; top: string }>(
    `SELECT shard, count() AS n, uniqExact(leaf_index) AS u, max(leaf_index) AS top FROM ${db}.log_leaves_v1 GROUP BY shard ORDER BY shard`,
  );
  for (const s of shards) expect({ shard: s.shard, n: s.n, u: s.u }).toEqual({ shard: s.shard, n: String(Number(s.top) + 1), u: String(Number(s.top) + 1) });
  const [checkpoints] = await warehouse.query<{ n: string; u: string }>(`SELECT count() AS n, uniqExact(shard, size) AS u FROM ${db}.checkpoints_v1`);
  expect(checkpoints!.n).toBe(checkpoints!.u);

  // Endpoints, as an auditor of each tenant reads them.
  const app = await buildAuditApp({ warehouse, notaryKeysDir: path.join(dataDir, 'keys', 'notary') });
  try {
    for (const tenant of TENANTS) {
      const mine = records.filter((r) => r.tenant === tenant);
      const token = (await createToken(warehouse, { tenant, role: 'auditor' })).token;
      const get = async (url: string) => {
        const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
        expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
        return res;
      };
      const period = 'from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z';

      const exported = (await get(`/v1/evidence?format=ndjson&${period}`)).body.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { content_hash: string });
      expect(exported).toHaveLength(mine.length);
      expect(new Set(exported.map((e) => e.content_hash))).toEqual(new Set(mine.map((r) => r.contentHash)));

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const body = (await get(`/v1/evidence?${period}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json() as { items: { content_hash: string }[]; next_cursor: string | null };
        paged.push(...body.items.map((i) => i.content_hash));
        cursor = body.next_cursor;
      } while (cursor);
      expect(paged).toHaveLength(mine.length);
      expect(new Set(paged).size).toBe(mine.length);

      const coverage = (await get(`/v1/coverage?${period}`)).json() as { controls: { control: string; records: number }[] };
      const expectedCounts = new Map<string, number>();
      for (const r of mine) for (const c of r.controls) expectedCounts.set(c, (expectedCounts.get(c) ?? 0) + 1);
      const counted = new Map(coverage.controls.filter((c) => c.records > 0).map((c) => [c.control, c.records]));
      expect(counted).toEqual(expectedCounts);

      const one = mine[0]!;
      const single = (await get(`/v1/evidence/${one.contentHash}`)).json() as { content_hash?: string };
      expect(JSON.stringify(single)).toContain(one.contentHash);
    }
  } finally {
    await app.close();
  }
}

describe('exactly once in the warehouse under repeated SIGKILL', () => {
  it(`the sink alone: ${KILLS} kills at random points while ${RECORDS} records flow`, async () => {
    const report = await crashLoop('sink');
    expect(report.kills).toBeGreaterThanOrEqual(KILLS);
  }, 600_000);

  it(`the notary and the sink in one process (as probity up runs them): ${KILLS} kills while ${RECORDS} records flow`, async () => {
    const report = await crashLoop('notary+sink');
    expect(report.kills).toBeGreaterThanOrEqual(KILLS);
  }, 600_000);
});
