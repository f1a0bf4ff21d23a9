import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqService, buildAuditApp, createToken, type Role } from '@probity/audit-api';
import { HEADER, headerString } from '@probity/kafka';
import { createLogger } from '@probity/logger';
import { defaultRegistry } from '@probity/schema';
import { Sink } from '@probity/sink';
import { openWarehouse, runMigrations, type Warehouse } from '@probity/warehouse';
import type { FastifyInstance } from 'fastify';
import { runCli, uniqueName, waitFor } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, type NotaryHarness } from '../notary/fixtures.js';

/**
 * The DLQ through the audit API against the real notary, sink, Kafka and chDB:
 * listing and showing entries per tenant, and replaying them to the notary.
 */
let harness: NotaryHarness;
let warehouse: Warehouse;
let app: FastifyInstance;
let dlq: DlqService;
let sink: Sink;
let policyFile: string;
const database = `dlq_${randomBytes(5).toString('hex')}`;
const logger = createLogger('dlq-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const acme = uniqueName('acme').slice(0, 40);
const globex = uniqueName('globex').slice(0, 40);

function writePolicy(requireSignatures: boolean): void {
  writeFileSync(policyFile, JSON.stringify({ tenants: { [acme]: { requireEmitterSignatures: requireSignatures } } }));
}

beforeAll(async () => {
  harness = await notaryHarness(1);
  const notaryDir = mkdtempSync(path.join(tmpdir(), 'dlq-notary-'));
  policyFile = path.join(notaryDir, 'tenants.json');
  writePolicy(true);
  warehouse = await openWarehouse({ database, dataDir: mkdtempSync(path.join(tmpdir(), 'dlq-chdb-')) });
  await runMigrations(warehouse, { database });
  dlq = new DlqService({ kafka: harness.kafka, topics: harness.topics, warehouse, registry: defaultRegistry() });
  app = await buildAuditApp({ warehouse, dlq });
  await harness.startNotary(notaryDir);
  sink = new Sink({
    kafka: harness.kafka, topics: harness.topics, groupId: uniqueName('dlq-sink'), warehouse, registry: defaultRegistry(),
    retentionYearsFor: () => 7, batchMinBytes: 1, batchMaxWaitMs: 100, maxRetryDelayMs: 1000, logger,
  });
  await sink.start();
});
afterAll(async () => {
  await sink.stop();
  await app.close();
  await dlq.close();
  await harness.cleanup();
  await warehouse.close();
});

async function call(method: 'GET' | 'POST', url: string, token: string, payload?: unknown) {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() as any };
}

const token = async (tenant: string, role: Role) => (await createToken(warehouse, { tenant, role })).token;

async function leavesFor(contentHash: string): Promise<number> {
  const rows = await warehouse.query<{ n: string }>(`SELECT count() AS n FROM ${database}.log_leaves_v1 WHERE content_hash = unhex({h:String})`, { h: contentHash });
  return Number(rows[0]?.n ?? 0);
}

describe('DLQ operations', () => {
  it('lists and shows refused records per tenant, and a replay logs a fixed record once, linked to its DLQ entry', async () => {
    // Two acme records refused while acme requires emitter signatures; one record whose header names another tenant.
    const fixedLater = encodeManifest(manifestJson(acme, 1));
    const alsoEmittedLater = encodeManifest(manifestJson(acme, 2));
    const mismatch = encodeManifest(manifestJson(globex, 3));
    await harness.produceRaw([
      { key: fixedLater.contentHash, value: fixedLater.bytes, headers: { [HEADER.tenant]: acme } },
      { key: alsoEmittedLater.contentHash, value: alsoEmittedLater.bytes, headers: { [HEADER.tenant]: acme } },
      { key: mismatch.contentHash, value: mismatch.bytes, headers: { [HEADER.tenant]: acme } },
    ]);

    const operator = await token('*', 'admin');
    const acmeAuditor = await token(acme, 'auditor');
    const acmeAdmin = await token(acme, 'admin');
    const globexAuditor = await token(globex, 'auditor');
    let all: any[] = [];
    await waitFor(async () => (all = (await call('GET', '/v1/dlq', operator)).body.items).length >= 3, { timeoutMs: 60_000, message: 'three DLQ entries' });
    expect(all).toHaveLength(3);
    const byHash = new Map(all.map((e) => [e.content_hash, e]));
    expect(byHash.get(fixedLater.contentHash)).toMatchObject({ reason: 'SIGNATURE_REQUIRED', tenant: acme, record_type: 'EvidenceManifest', replayable: true, replays: [], replayed_as: null });
    // Header and record disagree: the tenant cannot be told, so only an operator sees it.
    expect(byHash.get(mismatch.contentHash)).toMatchObject({ reason: 'TENANT_MISMATCH', tenant: null });

    // Tenant scope: acme's auditor sees acme's two; globex sees none (not even the record that names globex inside).
    const acmeView = (await call('GET', '/v1/dlq', acmeAuditor)).body.items as any[];
    expect(acmeView.map((e) => e.content_hash).sort()).toEqual([fixedLater.contentHash, alsoEmittedLater.contentHash].sort());
    expect((await call('GET', '/v1/dlq', globexAuditor)).body.items).toEqual([]);
    expect((await call('GET', `/v1/dlq?tenant=${acme}`, globexAuditor)).status).toBe(403);
    expect((await call('GET', `/v1/dlq/${byHash.get(fixedLater.contentHash).id}`, globexAuditor)).status).toBe(404);
    expect((await call('GET', `/v1/dlq/${byHash.get(mismatch.contentHash).id}`, acmeAuditor)).status).toBe(404);
    // Filters.
    expect((await call('GET', '/v1/dlq?reason=TENANT_MISMATCH', operator)).body.items).toHaveLength(1);
    expect((await call('GET', `/v1/dlq?tenant=${acme}&reason=SIGNATURE_REQUIRED`, operator)).body.items).toHaveLength(2);
    expect((await call('GET', '/v1/dlq?from=2000-01-01&to=2000-12-31', operator)).body.items).toEqual([]);
    expect((await call('GET', '/v1/dlq?reason=NOPE', operator)).body.error.parameter).toBe('reason');

    // show: headers, bytes and the decoded record.
    const shown = await call('GET', `/v1/dlq/${byHash.get(fixedLater.contentHash).id}`, acmeAuditor);
    expect(shown.status).toBe(200);
    expect(shown.body.headers[HEADER.dlqReason]).toBe('SIGNATURE_REQUIRED');
    expect(Buffer.from(shown.body.value_base64, 'base64').equals(fixedLater.bytes)).toBe(true);
    expect(shown.body.decoded).toMatchObject({ record_type: 'EvidenceManifest', record: { tenant: acme, run_id: 'run-1' } });

    // Auditors may not replay.
    expect((await call('POST', '/v1/dlq/replay', acmeAuditor, { ids: [byHash.get(fixedLater.contentHash).id] })).status).toBe(403);

    // The cause is fixed (acme no longer requires signatures); one of the two is also emitted again by its emitter.
    writePolicy(false);
    await new Promise((r) => setTimeout(r, 1_500)); // the notary re-checks its policy file every second
    await harness.produceRaw([{ key: alsoEmittedLater.contentHash, value: alsoEmittedLater.bytes, headers: { [HEADER.tenant]: acme } }]);
    await waitFor(async () => (await leavesFor(alsoEmittedLater.contentHash)) === 1, { timeoutMs: 60_000, message: 'the re-emitted record logged' });

    // Replay both acme entries by reason, with acme's admin token (the mismatch entry is not acme's: untouched).
    const replay = await call('POST', '/v1/dlq/replay', acmeAdmin, { reason: 'SIGNATURE_REQUIRED' });
    expect(replay.status).toBe(200);
    expect(replay.body.replayed.map((r: any) => r.content_hash).sort()).toEqual([fixedLater.contentHash, alsoEmittedLater.contentHash].sort());
    expect(replay.body.skipped).toEqual([]);

    // The fixed record becomes a leaf; the one already logged gets no second leaf.
    await waitFor(async () => (await leavesFor(fixedLater.contentHash)) === 1, { timeoutMs: 60_000, message: 'the replayed record logged' });
    await waitFor(async () => {
      const items = (await call('GET', `/v1/dlq?tenant=${acme}`, operator)).body.items as any[];
      return items.every((e) => e.replayed_as !== null);
    }, { timeoutMs: 30_000, message: 'both entries linked to their leaves' });
    const { records } = await harness.readSigned(2);
    expect(records.filter((r) => r.content_hash === alsoEmittedLater.contentHash)).toHaveLength(1);
    expect(records.filter((r) => r.content_hash === fixedLater.contentHash)).toHaveLength(1);
    expect(await leavesFor(alsoEmittedLater.contentHash)).toBe(1);

    const after = new Map(((await call('GET', `/v1/dlq?tenant=${acme}`, operator)).body.items as any[]).map((e) => [e.content_hash, e]));
    const fixedLeaf = records.find((r) => r.content_hash === fixedLater.contentHash)!;
    expect(after.get(fixedLater.contentHash).replayed_as).toMatchObject({ content_hash: fixedLater.contentHash, shard: fixedLeaf.shard, leaf_index: fixedLeaf.leaf_index });
    expect(after.get(fixedLater.contentHash).replays).toHaveLength(1);

    // The replayed raw messages name their DLQ entries (what reconciliation counts).
    const raw = await harness.readAll(harness.topics.raw, 6);
    const replayOf = raw.map((m) => headerString(m.headers, HEADER.dlqReplayOf)).filter((v) => v !== undefined).sort();
    expect(replayOf).toEqual([byHash.get(fixedLater.contentHash).id, byHash.get(alsoEmittedLater.contentHash).id].sort());

    // A sink entry, or an id that is not there, is skipped with a reason; an operator may replay an entry without a tenant.
    const none = await call('POST', '/v1/dlq/replay', operator, { ids: ['0:999999'] });
    expect(none.body).toMatchObject({ replayed: [], skipped: [{ id: '0:999999' }] });
    expect((await call('POST', '/v1/dlq/replay', acmeAdmin, { ids: [byHash.get(mismatch.contentHash).id] })).body.skipped).toHaveLength(1);
    expect((await call('POST', '/v1/dlq/replay', acmeAdmin, {})).body.error.parameter).toBe('ids');

    // A replay the notary refuses again (the header still disagrees with the record) is a new entry linked both ways.
    const mismatchId = byHash.get(mismatch.contentHash).id;
    expect((await call('POST', '/v1/dlq/replay', operator, { ids: [mismatchId] })).body.replayed).toHaveLength(1);
    let again: any[] = [];
    await waitFor(async () => (again = ((await call('GET', '/v1/dlq?reason=TENANT_MISMATCH', operator)).body.items as any[])).length === 2, { timeoutMs: 60_000, message: 'the replay refused again' });
    const [first, second] = [again.find((e) => e.id === mismatchId), again.find((e) => e.id !== mismatchId)];
    expect(second).toMatchObject({ replay_of: mismatchId, content_hash: mismatch.contentHash, tenant: null });
    expect(first).toMatchObject({ replay_of: null, refused_again_as: [second.id], replayed_as: null });

    // The same through `probity dlq` against the listening API.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    const env = { PROBITY_API_URL: `http://127.0.0.1:${address.port}`, PROBITY_TOKEN: acmeAuditor };
    const listed = await runCli(['dlq', 'list', '--json'], { env });
    expect(listed.code).toBe(0);
    const cliItems = JSON.parse(listed.stdout) as any[];
    expect(cliItems.map((e) => e.content_hash).sort()).toEqual([fixedLater.contentHash, alsoEmittedLater.contentHash].sort());
    const table = await runCli(['dlq', 'list', '--reason', 'SIGNATURE_REQUIRED'], { env });
    expect(table.stdout).toContain(`${fixedLeaf.shard}/${fixedLeaf.leaf_index}`);
    const cliShow = await runCli(['dlq', 'show', byHash.get(fixedLater.contentHash).id], { env });
    expect(JSON.parse(cliShow.stdout)).toMatchObject({ reason: 'SIGNATURE_REQUIRED', decoded: { record: { run_id: 'run-1' } } });
    // An auditor's replay is refused by the API (exit 1); a bad id is a usage error (exit 2).
    expect((await runCli(['dlq', 'replay', byHash.get(fixedLater.contentHash).id], { env })).code).toBe(1);
    expect((await runCli(['dlq', 'show', 'not-an-id'], { env })).code).toBe(2);
    const cliReplay = await runCli(['dlq', 'replay', byHash.get(fixedLater.contentHash).id, '--json'], { env: { ...env, PROBITY_TOKEN: acmeAdmin } });
    expect(cliReplay.code).toBe(0);
    expect(JSON.parse(cliReplay.stdout).replayed).toHaveLength(1);
  });
});
