import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditApp, createHoldEmitter, createToken, type HoldEmitter } from '@probity/audit-api';
import { exportPrivateKeyPem, exportPublicKeyBase64, generateSigningKey } from '@probity/crypto';
import { loadCommonConfig } from '@probity/config';
import { createLogger } from '@probity/logger';
import { defaultRegistry } from '@probity/schema';
import { Sink } from '@probity/sink';
import { TABLES, openWarehouse, purgeExpiredEvidence, runMigrations, type Warehouse } from '@probity/warehouse';
import type { FastifyInstance } from 'fastify';
import { runCli, uniqueName, waitFor } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, type NotaryHarness } from '../notary/fixtures.js';

/**
 * Legal holds end to end on the real pipeline: each change is a LegalHold
 * record emitted through the SDK, notarized and stored; the retention purge
 * (real chDB) keeps what a hold in force covers and reports it.
 */
let harness: NotaryHarness;
let warehouse: Warehouse;
let app: FastifyInstance;
let emitter: HoldEmitter;
let sink: Sink;
const database = `holds_${randomBytes(5).toString('hex')}`;
const logger = createLogger('holds-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const acme = uniqueName('acme').slice(0, 40);
const umbrella = uniqueName('umbrella').slice(0, 40);
const vault = uniqueName('vault').slice(0, 40);
const longKeeper = uniqueName('keeper').slice(0, 40);
const sinkGroup = uniqueName('holds-sink');
/** A tenant that requires emitter signatures: its hold records are notarized only because the API signs them. */
const strict = uniqueName('strict').slice(0, 40);

beforeAll(async () => {
  harness = await notaryHarness(1);
  warehouse = await openWarehouse({ database, dataDir: mkdtempSync(path.join(tmpdir(), 'holds-chdb-')) });
  await runMigrations(warehouse, { database });
  const key = generateSigningKey('holds');
  const keyDir = mkdtempSync(path.join(tmpdir(), 'holds-key-'));
  writeFileSync(path.join(keyDir, 'hold.pem'), exportPrivateKeyPem(key.privateKey));
  const notaryDir = mkdtempSync(path.join(tmpdir(), 'holds-notary-'));
  writeFileSync(path.join(notaryDir, 'tenants.json'), JSON.stringify({
    tenants: { [strict]: { requireEmitterSignatures: true, emitterKeys: [{ keyId: key.keyId, publicKey: exportPublicKeyBase64(key.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' }] } },
  }));
  emitter = await createHoldEmitter({
    PROBITY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'holds-emitter-')), KAFKA_BROKERS: loadCommonConfig().KAFKA_BROKERS,
    PROBITY_TOPIC_NAMESPACE: harness.topics.raw.slice(0, -'.probity.evidence.raw'.length), PROBITY_EMIT_PACK_BYTES: 512 * 1024,
    PROBITY_HOLD_SIGN_KEY: path.join(keyDir, 'hold.pem'), PROBITY_HOLD_SIGN_TENANTS: [strict],
  });
  app = await buildAuditApp({ warehouse, emitter });
  await harness.startNotary(notaryDir);
  // Rows are written with one year of retention, so everything from before 2025 is past its retention_until.
  sink = new Sink({
    kafka: harness.kafka, topics: harness.topics, groupId: sinkGroup, warehouse, registry: defaultRegistry(),
    retentionYearsFor: () => 1, batchMinBytes: 1, batchMaxWaitMs: 100, maxRetryDelayMs: 1000, logger,
  });
  await sink.start();
});
afterAll(async () => {
  await sink.stop();
  await app.close();
  await emitter.close({ drainTimeoutMs: 2000 });
  await harness.cleanup();
  await warehouse.close();
});

function record(tenant: string, model: string, occurredAt: string, n: number) {
  return encodeManifest({ ...manifestJson(tenant, n), model_id: model, occurred_at: occurredAt });
}

async function present(table: string, contentHash: string): Promise<boolean> {
  const rows = await warehouse.query<{ n: string }>(`SELECT count() AS n FROM ${database}.${table} WHERE content_hash = unhex({h:String})`, { h: contentHash });
  return Number(rows[0]?.n) > 0;
}

async function post(url: string, token: string, payload: unknown) {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: payload as object });
  return { status: res.statusCode, body: res.json() as any };
}

describe('legal holds', () => {
  it('are signed, logged records; the purge keeps what a hold in force covers, reports it, and purges it once lifted', async () => {
    const heldByModel = record(acme, 'credit-risk', '2015-03-01T00:00:00Z', 1);
    const otherModel = record(acme, 'fraud', '2015-03-01T00:00:00Z', 2);
    const inHeldPeriod = record(acme, 'fraud', '2016-06-15T00:00:00Z', 3);
    const afterPeriod = record(acme, 'fraud', '2017-06-15T00:00:00Z', 4);
    const fresh = record(acme, 'fraud', '2026-07-01T00:00:00Z', 5);
    const otherTenant = record(umbrella, 'credit-risk', '2015-03-01T00:00:00Z', 6);
    const wholeTenant = record(vault, 'anything', '2015-03-01T00:00:00Z', 7);
    const longRetention = record(longKeeper, 'anything', '2015-03-01T00:00:00Z', 8);
    const all = [heldByModel, otherModel, inHeldPeriod, afterPeriod, fresh, otherTenant, wholeTenant, longRetention];
    await harness.produceRaw(all.map((m) => ({ key: m.contentHash, value: m.bytes })));
    await waitFor(async () => (await Promise.all(all.map((m) => present(TABLES.evidence, m.contentHash)))).every(Boolean), { timeoutMs: 60_000, message: 'the records in the warehouse' });

    const acmeAdmin = (await createToken(warehouse, { tenant: acme, role: 'admin' })).token;
    const acmeAuditor = (await createToken(warehouse, { tenant: acme, role: 'auditor' })).token;
    const operator = (await createToken(warehouse, { tenant: '*', role: 'admin' })).token;
    const holds = `/v1/tenants/${acme}/holds`;

    // Bad input names what to fix; auditors and other tenants' admins may not place holds.
    expect((await post(holds, acmeAdmin, { scope: 'model', reason: 'x' })).body.error.parameter).toBe('model_id');
    expect((await post(holds, acmeAdmin, { scope: 'period', from: '2016-01-01', reason: 'x' })).body.error.parameter).toBe('to');
    expect((await post(holds, acmeAdmin, { scope: 'period', from: '2016-12-31', to: '2016-01-01', reason: 'x' })).body.error.parameter).toBe('to');
    expect((await post(holds, acmeAdmin, { scope: 'tenant' })).body.error.parameter).toBe('reason');
    expect((await post(holds, acmeAdmin, { scope: 'galaxy', reason: 'x' })).body.error.parameter).toBe('scope');
    expect((await post(holds, acmeAuditor, { scope: 'tenant', reason: 'x' })).status).toBe(403);
    expect((await post(`/v1/tenants/${vault}/holds`, acmeAdmin, { scope: 'tenant', reason: 'x' })).status).toBe(403);

    const modelHold = await post(holds, acmeAdmin, { scope: 'model', model_id: 'credit-risk', reason: 'Litigation notice 117' });
    expect(modelHold.status).toBe(201);
    expect(modelHold.body).toMatchObject({ tenant: acme, status: 'PLACED', scope: 'MODEL', model_id: 'credit-risk', reason: 'Litigation notice 117' });
    const periodHold = await post(holds, acmeAdmin, { scope: 'period', from: '2016-01-01', to: '2016-12-31', reason: 'Regulator inquiry, FY2016' });
    expect(periodHold.body).toMatchObject({ scope: 'PERIOD', period_from: '2016-01-01T00:00:00.000000Z', period_to: '2017-01-01T00:00:00.000000Z' });

    // A whole-tenant hold, placed with the CLI (operator token) against the listening API.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const env = { PROBITY_API_URL: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, PROBITY_TOKEN: operator };
    const cliPlace = await runCli(['hold', 'place', '--tenant', vault, '--scope', 'tenant', '--reason', 'Preserve everything'], { env });
    expect(cliPlace.code).toBe(0);
    const vaultHold = JSON.parse(cliPlace.stdout);
    expect((await runCli(['hold', 'place', '--tenant', vault, '--scope', 'model', '--reason', 'x'], { env })).stderr).toContain('--model-id');
    const cliList = await runCli(['hold', 'list', '--tenant', acme, '--json'], { env: { ...env, PROBITY_TOKEN: acmeAuditor } });
    expect(cliList.code).toBe(0);
    expect((JSON.parse(cliList.stdout) as any[]).map((h) => h.hold_id).sort()).toEqual([modelHold.body.hold_id, periodHold.body.hold_id].sort());

    // Each placement is a LegalHold record notarized into the log, linked by its content hash.
    for (const h of [modelHold.body, periodHold.body, vaultHold]) {
      await waitFor(() => present(TABLES.logLeaves, h.placed_record), { timeoutMs: 60_000, message: `the LegalHold record of ${h.hold_id} logged` });
      const [row] = await warehouse.query<{ record_type: string; tenant: string; record_json: string }>(
        `SELECT record_type, tenant, record_json FROM ${database}.evidence_v1 WHERE content_hash = unhex({h:String})`,
        { h: h.placed_record },
      );
      expect(row).toMatchObject({ record_type: 'LegalHold', tenant: h.tenant });
      expect(JSON.parse(row!.record_json)).toMatchObject({ hold_id: h.hold_id, action: 'PLACED', scope: h.scope, reason: h.reason, actor: expect.stringMatching(/^token:/) });
    }

    // For a tenant that requires emitter signatures the hold record is signed (PROBITY_HOLD_SIGN_KEY, _TENANTS), so it is logged too.
    const strictHold = await post(`/v1/tenants/${strict}/holds`, operator, { scope: 'tenant', reason: 'Signed tenant' });
    expect(strictHold.status).toBe(201);
    await waitFor(async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/tenants/${strict}/holds`, headers: { authorization: `Bearer ${operator}` } });
      return (res.json().holds as any[])[0]?.placed_logged === true;
    }, { timeoutMs: 60_000, message: 'the signed hold record of the strict tenant logged' });

    // The tenant that keeps evidence 30 years: its 2015 record was written with one year, but the purge asks its setting now.
    expect((await post(`/v1/tenants/${longKeeper}/retention`, operator, { retention_years: 30 })).status).toBe(200);

    const report = await purgeExpiredEvidence(warehouse);
    for (const gone of [otherModel, afterPeriod, otherTenant]) {
      for (const table of [TABLES.evidence, TABLES.evidenceByHash, TABLES.evidenceByRun, TABLES.evidenceBlobs]) expect(await present(table, gone.contentHash), `${table}`).toBe(false);
    }
    for (const kept of [heldByModel, inHeldPeriod, wholeTenant, fresh, longRetention]) {
      for (const table of [TABLES.evidence, TABLES.evidenceByHash, TABLES.evidenceByRun, TABLES.evidenceBlobs]) expect(await present(table, kept.contentHash), `${table}`).toBe(true);
    }
    // Log leaves are never purged: a proof needs every leaf.
    expect(await present(TABLES.logLeaves, otherModel.contentHash)).toBe(true);
    expect(report.deleted[TABLES.evidence]).toBe(3);
    expect(report.skippedHeld[TABLES.evidence]).toBe(3);
    expect(report.skippedHeld[TABLES.evidenceBlobs]).toBe(3);
    const skipped = Object.fromEntries(report.holds.map((h) => [h.hold_id, h.skipped]));
    expect(skipped).toEqual({ [modelHold.body.hold_id]: 1, [periodHold.body.hold_id]: 1, [vaultHold.hold_id]: 1, [strictHold.body.hold_id]: 0 });

    // Lifting is a signed record too. Until it is logged the purge still honours the hold (the sink is stopped here to hold the record back).
    await sink.stop();
    const lifted = await post(`${holds}/${modelHold.body.hold_id}/lift`, acmeAdmin, { reason: 'Case settled' });
    expect(lifted.body).toMatchObject({ status: 'LIFTED', lift_reason: 'Case settled', placed_record: modelHold.body.placed_record });
    expect((await post(`${holds}/${modelHold.body.hold_id}/lift`, acmeAdmin, { reason: 'again' })).status).toBe(400);
    expect((await post(`${holds}/hold-nope/lift`, acmeAdmin, { reason: 'x' })).status).toBe(404);
    const pending = await purgeExpiredEvidence(warehouse);
    expect(await present(TABLES.evidence, heldByModel.contentHash)).toBe(true);
    expect(pending.holds.find((h) => h.hold_id === modelHold.body.hold_id)).toMatchObject({ lift_pending: true, skipped: 1 });
    const listed = (await app.inject({ method: 'GET', url: holds, headers: { authorization: `Bearer ${acmeAuditor}` } })).json().holds as any[];
    expect(listed.find((h) => h.hold_id === modelHold.body.hold_id)).toMatchObject({ status: 'LIFTED', placed_logged: true, lifted_logged: false });

    // Once the LIFTED record is logged, the purge takes what only that hold kept. (The same group: a new one would
    // re-read the signed topic from the start and bring the purged records back until the next purge.)
    sink = new Sink({
      kafka: harness.kafka, topics: harness.topics, groupId: sinkGroup, warehouse, registry: defaultRegistry(),
      retentionYearsFor: () => 1, batchMinBytes: 1, batchMaxWaitMs: 100, maxRetryDelayMs: 1000, logger,
    });
    await sink.start();
    await waitFor(() => present(TABLES.logLeaves, lifted.body.lifted_record), { timeoutMs: 60_000, message: 'the LIFTED record logged' });
    const second = await purgeExpiredEvidence(warehouse);
    expect(await present(TABLES.evidence, heldByModel.contentHash)).toBe(false);
    expect(await present(TABLES.evidence, inHeldPeriod.contentHash)).toBe(true);
    expect(second.deleted[TABLES.evidence]).toBe(1);
    expect(second.holds.map((h) => h.hold_id).sort()).toEqual([periodHold.body.hold_id, vaultHold.hold_id, strictHold.body.hold_id].sort());
    const cliLift = await runCli(['hold', 'lift', vaultHold.hold_id, '--tenant', vault, '--reason', 'Done'], { env });
    expect(JSON.parse(cliLift.stdout)).toMatchObject({ status: 'LIFTED' });
  });
});
