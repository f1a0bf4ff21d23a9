import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmitter, type Emitter } from '@probity/agent';
import { loadCommonConfig } from '@probity/config';
import { exportPrivateKeyPem, exportPublicKeyBase64, generateSigningKey, trustedKeyFor } from '@probity/crypto';
import { EMITTER_BATCH_PAYLOAD_TYPE, EMITTER_PAYLOAD_TYPE, toBundle, verifySignedRecord } from '@probity/evidence';
import { buildGatewayApp, hashToken, StaticTokenVerifier } from '@probity/ingest-gateway';
import { parsePublicKeyring, publicKeyringPath, toTrustedKeys } from '@probity/keystore';
import type { FastifyInstance } from 'fastify';
import { goldenFixture, goldenTrees } from '../../clients/python/golden.js';
import { notaryHarness, type NotaryHarness } from '../notary/fixtures.js';
import { repoRoot, runProcess } from '../helpers/index.js';

const python = path.join(process.env.PROBITY_CACHE_DIR ?? path.join(homedir(), '.cache', 'probity'), 'venv', 'bin', 'python');
const clientDir = path.join(repoRoot, 'clients/python');
/** Tests in clients/python/tests (unit and test_integration.py): a lower count means some were not found. */
const EXPECTED_PYTHON_TESTS = 34;

const tokens = new StaticTokenVerifier([
  { sha256: hashToken('py-signed-token'), tenant: 'pysigned', role: 'emitter' },
  { sha256: hashToken('py-plain-token'), tenant: 'pyplain', role: 'emitter' },
]);

async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('Python client (clients/python) against the real gateway and notary', () => {
  let harness: NotaryHarness;
  const emitterKey = generateSigningKey('python-emitter');
  const opened: { app: FastifyInstance; emitter: Emitter }[] = [];

  async function gateway(brokers: string[], topic: string, extra: Partial<Parameters<typeof createEmitter>[0]> = {}) {
    const emitter = await createEmitter({ name: `py-gw-${opened.length}`, dataDir: mkdtempSync(path.join(tmpdir(), 'py-gw-')), brokers, topic, whenKafkaUnavailable: 'reject', ...extra });
    const app = buildGatewayApp({ emitter, tokens, retryAfterSeconds: 1 });
    opened.push({ app, emitter });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    harness = await notaryHarness(3);
  });
  afterAll(async () => {
    for (const { app, emitter } of opened) {
      await app.close();
      await emitter.close();
    }
    await harness?.cleanup();
  });

  it('the golden fixtures the Python tests compare with are what the TypeScript registry makes today', () => {
    const committed = (name: string) => JSON.parse(readFileSync(path.join(clientDir, 'tests/fixtures', name), 'utf8')) as unknown;
    expect(committed('golden.json')).toEqual(JSON.parse(JSON.stringify(goldenFixture())));
    expect(committed('trees.json')).toEqual(goldenTrees());
  });

  it('runs the Python suite: a signed batch and signed records the notary accepts, and an outage spooled and replayed', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'py-notary-'));
    // Signatures are required for pysigned: an unsigned or badly signed record would be dead-lettered, not notarized.
    const registered = { keyId: emitterKey.keyId, publicKey: exportPublicKeyBase64(emitterKey.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' };
    writeFileSync(path.join(dataDir, 'tenants.json'), JSON.stringify({ tenants: { pysigned: { requireEmitterSignatures: true, emitterKeys: [registered] } } }));
    await harness.startNotary(dataDir);

    const live = await gateway(loadCommonConfig().KAFKA_BROKERS, harness.topics.raw, { lingerMs: 2 });
    // A gateway whose broker is down (a port nothing listens on; the shared broker is left alone): 503 + Retry-After.
    const brokerless = await gateway([`127.0.0.1:${await deadPort()}`], harness.topics.raw, { kafkaRetry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 } });

    const work = mkdtempSync(path.join(tmpdir(), 'py-it-'));
    const keyPem = path.join(work, 'emitter.pem');
    writeFileSync(keyPem, exportPrivateKeyPem(emitterKey.privateKey));
    const out = path.join(work, 'out.json');
    const run = await runProcess(python, ['-m', 'unittest', 'discover', '-v', '-s', 'tests', '-t', '.'], {
      cwd: clientDir,
      timeoutMs: 150_000,
      env: {
        PROBITY_IT_GATEWAY: live,
        PROBITY_IT_BROKERLESS_GATEWAY: brokerless,
        PROBITY_IT_SIGNED_TOKEN: 'py-signed-token',
        PROBITY_IT_PLAIN_TOKEN: 'py-plain-token',
        PROBITY_IT_KEY_PEM: keyPem,
        PROBITY_IT_OUT: out,
        PYTHONDONTWRITEBYTECODE: '1',
      },
    });
    // unittest exits 0 when it found no tests at all: count them, and refuse skips.
    const ran = /^Ran (\d+) tests? in/m.exec(run.stderr);
    expect({ code: run.code, ran: ran ? Number(ran[1]) : 0, skipped: /skipped/.test(run.stderr) }, run.stderr.slice(-4000)).toEqual({ code: 0, ran: EXPECTED_PYTHON_TESTS, skipped: false });

    const acknowledged = JSON.parse(readFileSync(out, 'utf8')) as Record<'signedBatch' | 'signedRecord' | 'replayed' | 'stage', string[]>;
    expect(acknowledged.signedBatch).toHaveLength(150);
    expect(acknowledged.signedRecord).toHaveLength(3);
    expect(acknowledged.replayed).toHaveLength(6);
    expect(acknowledged.stage).toHaveLength(1);
    const all = [...acknowledged.signedBatch, ...acknowledged.signedRecord, ...acknowledged.replayed, ...acknowledged.stage];

    const { records } = await harness.readSigned(all.length);
    const byHash = new Map(records.map((r) => [r.content_hash, r]));
    expect([...byHash.keys()].sort()).toEqual([...all].sort());
    expect(acknowledged.signedBatch.map((h) => byHash.get(h)!.emitter_envelope?.payloadType)).toEqual(acknowledged.signedBatch.map(() => EMITTER_BATCH_PAYLOAD_TYPE));
    // 150 records: two emitter trees (128 + 22), each signed once.
    expect(new Set(acknowledged.signedBatch.map((h) => byHash.get(h)!.emitter_envelope!.payload)).size).toBe(2);
    expect(acknowledged.signedRecord.map((h) => byHash.get(h)!.emitter_envelope?.payloadType)).toEqual(acknowledged.signedRecord.map(() => EMITTER_PAYLOAD_TYPE));

    // Every bundle verifies offline with the notary's keyring and the Python emitter's public key.
    const keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(harness.keysDir), 'utf8')), 'keyring');
    const notaryKeys = toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
    const emitterKeys = [trustedKeyFor(emitterKey, { notBefore: new Date('2020-01-01T00:00:00Z') })];
    for (const hash of [...acknowledged.signedBatch, ...acknowledged.signedRecord]) {
      const report = verifySignedRecord(toBundle(byHash.get(hash)!), { notaryKeys, emitterKeys });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    }
  });
});
