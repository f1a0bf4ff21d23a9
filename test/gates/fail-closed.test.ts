import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmitter, type Emitter } from '@probity/agent';
import { GateService, buildAuditApp, type TokenVerifier } from '@probity/audit-api';
import { PolicyStore, compilePolicy, defaultPolicyFiles } from '@probity/policy';
import { buildEvidenceRow, insertEvidenceDeduplicated, openWarehouse, runMigrations, type Warehouse } from '@probity/warehouse';
import { kafkaForTests, runCli, type KafkaForTests } from '../helpers/index.js';

// The gate fails closed: when it cannot read the evidence, use its policy or log its decision,
// `probity gate check` exits 2 and never 0. Real chDB, real Kafka, the real CLI against the real app.
const dir = mkdtempSync(path.join(tmpdir(), 'probity-gates-closed-'));
const TOKEN = 'gate-emitter-token';
// A verifier that needs no warehouse, so a closed warehouse fails the evidence read, not the login.
const tokens: TokenVerifier = { verify: async (t) => (t === TOKEN ? { tenant: 'acme', role: 'emitter', tokenId: 't-1' } : null) };
let kafka: KafkaForTests;
let warehouse: Warehouse;
let store: PolicyStore;
let app: FastifyInstance;
let emitter: Emitter;
let env: NodeJS.ProcessEnv;

const check = (gate = 'promotion') => runCli(['gate', 'check', '--tenant', 'acme', '--run-id', 'run-1', '--gate', gate, '--token', TOKEN], { env });

beforeAll(async () => {
  kafka = kafkaForTests();
  const topic = await kafka.createTopic({ prefix: 'gates-closed' });
  warehouse = await openWarehouse({ database: 'probity', dataDir: path.join(dir, 'chdb') });
  await runMigrations(warehouse, { database: 'probity' });
  store = new PolicyStore(path.join(dir, 'policies'));
  const files = defaultPolicyFiles();
  const compiled = await compilePolicy({ source: files.source, tests: files.tests });
  const wasm = await store.putBlob(compiled.wasm);
  await store.accept('acme', {
    policy_id: 'promotion', gate: 'promotion', version: 1, source_sha256: await store.putBlob(new TextEncoder().encode(files.source)), tests_sha256: 'x', wasm_sha256: wasm,
    entrypoint: compiled.entrypoint, compiler: compiled.compiler, tests_passed: compiled.testsPassed.length, added_at: new Date().toISOString(), record_hash: 'r',
  });
  emitter = await createEmitter({ name: 'gates-closed', dataDir: dir, brokers: kafka.brokers, topic });
  // The service reaches the emitter through this, so a test can close it under a running app.
  const gates = new GateService({ warehouse, policies: store, emitter: { emit: (...args: Parameters<Emitter['emit']>) => (emitter.emit as (...a: unknown[]) => ReturnType<Emitter['emit']>)(...args) } as Pick<Emitter, 'emit'> });
  app = await buildAuditApp({ warehouse, tokenVerifier: tokens, gates });
  await app.listen({ port: 0, host: '127.0.0.1' });
  env = { PROBITY_API_URL: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, PROBITY_DATA_DIR: dir };
}, 120_000);

afterAll(async () => {
  await app?.close();
  await emitter?.close({ drainTimeoutMs: 1000 }).catch(() => undefined);
  await warehouse?.close().catch(() => undefined);
  await kafka?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('probity gate check fails closed', () => {
  it('decides (deny, exit 1) while everything works: the run has no evidence', async () => {
    const r = await check();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('no EVALUATION stage evidence for the run');
    expect(r.stdout).toMatch(/logged as [0-9a-f]{64} \(kafka\)/);
  });

  it('exit 2 when no policy is registered for the gate', async () => {
    const r = await check('deployment');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no deployment policy is registered for tenant acme');
  });

  it('refuses to evaluate a policy whose wasm does not hash to its address', async () => {
    const latest = (await store.latest('acme', 'promotion'))!;
    const file = path.join(dir, 'policies', 'blobs', latest.wasm_sha256.slice(0, 2), latest.wasm_sha256);
    const fresh = new GateService({ warehouse, policies: store, emitter });
    const original = readFileSync(file);
    writeFileSync(file, Buffer.concat([original, Buffer.from([0])]));
    try {
      await expect(fresh.check({ tenant: 'acme', gate: 'promotion', runId: 'run-1', principal: { kind: 'SERVICE', id: 'ci' } })).rejects.toMatchObject({ code: 'GATE_POLICY_UNAVAILABLE' });
    } finally {
      writeFileSync(file, original);
    }
  });

  it('exit 2 when the run\'s input is too large for its decision record', async () => {
    const datasets = Array.from({ length: 3000 }, (_, i) => ({ id: `ds-${i}`, kind: 'DATASET', sha256: String(i).padStart(64, '0'), uri: `s3://bucket/${'x'.repeat(200)}/${i}` }));
    const row = buildEvidenceRow({
      tenant: 'acme', contentHash: 'ab'.repeat(32), recordType: 'EvidenceManifest', schemaFingerprint: 'f', modelId: 'm', modelVersion: '1', stage: 'INGEST', runId: 'run-huge',
      manifestId: 'm-1', occurredAt: new Date(), notarizedAt: new Date(), principal: 'svc', controls: [], shard: 0, leafIndex: 0, record: new Uint8Array(1),
      recordJson: JSON.stringify({ stage: 'INGEST', model_id: 'm', inputs: datasets, outputs: [], approvals: [], labels: {} }), envelopeJson: '{}', ingestPartition: 0, ingestOffset: 0,
    });
    await insertEvidenceDeduplicated(warehouse, [row]);
    const r = await runCli(['gate', 'check', '--tenant', 'acme', '--run-id', 'run-huge', '--gate', 'promotion', '--token', TOKEN], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/more than a decision record can carry/);
  });

  it('exit 2 when the decision cannot be made durable: no answer without its record', async () => {
    await emitter.close({ drainTimeoutMs: 1000 });
    const r = await check();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no decision: the DENY decision could not be logged/);
    expect(r.stdout).toBe('');
  });

  it('exit 2 when the evidence cannot be read from the warehouse', async () => {
    await warehouse.close();
    const r = await check();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no decision: the run's evidence could not be read from the warehouse");
    expect(r.stdout).toBe('');
  });
});
