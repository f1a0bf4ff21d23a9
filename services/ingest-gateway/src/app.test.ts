import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmitter, type Emitter, type SpooledMessage, type Transport } from '@probity/agent';
import { generateSigningKey } from '@probity/crypto';
import { signEmitterBatch } from '@probity/evidence';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildGatewayApp, hashToken, StaticTokenVerifier } from './index.js';

class RecordingTransport implements Transport {
  sent: SpooledMessage[] = [];
  async send(messages: readonly SpooledMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
  async close(): Promise<void> {}
}

const example = async (name: string) =>
  JSON.parse(await readFile(new URL(`../../../schemas/examples/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const tokens = new StaticTokenVerifier([
  { sha256: hashToken('acme-token'), tenant: 'acme-bank', role: 'emitter' },
  { sha256: hashToken('other-token'), tenant: 'globex', role: 'emitter' },
  { sha256: hashToken('auditor-token'), tenant: 'acme-bank', role: 'auditor' },
]);
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('ingest gateway', () => {
  let dataDir: string;
  let transport: RecordingTransport;
  let emitter: Emitter;
  let app: ReturnType<typeof buildGatewayApp>;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'probity-gateway-'));
    transport = new RecordingTransport();
    emitter = await createEmitter({ name: 'gw', dataDir, transport });
    app = buildGatewayApp({ emitter, tokens, bodyLimit: 64 * 1024 });
  });
  afterEach(async () => {
    await app.close();
    await emitter.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts one manifest and answers with its content hash', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: await example('EvidenceManifest.training.json') });
    expect(res.statusCode).toBe(202);
    const body = res.json() as { results: { index: number; contentHash: string; durable: string }[] };
    expect(body.results).toEqual([{ index: 0, contentHash: transport.sent[0]!.key, durable: 'kafka' }]);
  });

  it('accepts a typed batch', async () => {
    const record = await example('InferenceRecord.json');
    const second = { ...record, request_id: 'req-2' };
    const res = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { type: 'InferenceRecord', records: [record, second] } });
    expect(res.statusCode).toBe(202);
    expect((res.json() as { results: unknown[] }).results).toHaveLength(2);
    expect(transport.sent).toHaveLength(2);
    expect(new Set(transport.sent.map((m) => m.key)).size).toBe(2);
  });

  it('rejects the whole batch with field-level issues when any record is invalid', async () => {
    const good = await example('EvidenceManifest.training.json');
    const bad = { ...good, stage: 'SHIPPING', run_id: 7 };
    const res = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { records: [good, bad] } });
    expect(res.statusCode).toBe(400);
    const { error } = res.json() as { error: { code: string; issues: { index: number; path: string }[] } };
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.issues.map((i) => `${i.index}:${i.path}`)).toEqual(expect.arrayContaining(['1:stage', '1:run_id']));
    expect(error.issues.every((i) => i.index === 1)).toBe(true);
    expect(transport.sent).toHaveLength(0);
  });

  it('names an unknown record type and a malformed batch', async () => {
    const unknown = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { type: 'Memo', records: [{}] } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', issues: [{ path: 'type' }] } });
    const empty = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { records: [] } });
    expect(empty.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', issues: [{ path: 'records' }] } });
    const notJson = await app.inject({ method: 'POST', url: '/v1/manifests', headers: { ...auth('acme-token'), 'content-type': 'application/json' }, payload: '{"tenant":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
  });

  it('checks the token, its role and its tenant', async () => {
    const manifest = await example('EvidenceManifest.training.json');
    const none = await app.inject({ method: 'POST', url: '/v1/manifests', payload: manifest });
    expect(none.statusCode).toBe(401);
    const wrong = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('guess'), payload: manifest });
    expect(wrong.statusCode).toBe(401);
    const auditor = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('auditor-token'), payload: manifest });
    expect(auditor.statusCode).toBe(403);
    expect(auditor.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const foreign = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('other-token'), payload: manifest });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ error: { code: 'TENANT_MISMATCH' } });
    expect(transport.sent).toHaveLength(0);
  });

  it('answers 413 above the body limit', async () => {
    const manifest = await example('EvidenceManifest.training.json');
    const big = { ...manifest, summary: 'x'.repeat(70 * 1024) };
    const res = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
  });

  it('commits concurrent requests together and answers each only once its batch is acknowledged', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sends: number[] = [];
    const gated: Transport = {
      async send(messages) {
        sends.push(messages.length);
        await gate;
      },
      async close() {},
    };
    const gatedEmitter = await createEmitter({ name: 'gw-gated', dataDir, transport: gated, lingerMs: 5 });
    const gatedApp = buildGatewayApp({ emitter: gatedEmitter, tokens });
    try {
      const manifest = await example('EvidenceManifest.training.json');
      let answered = 0;
      const requests = Array.from({ length: 40 }, (_, i) =>
        gatedApp.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { ...manifest, run_id: `run-${i}` } }).then((res) => {
          answered += 1;
          return res;
        }),
      );
      await vi.waitFor(() => expect(sends.length).toBeGreaterThan(0));
      await new Promise((r) => setTimeout(r, 50));
      expect(answered).toBe(0);
      release();
      const responses = await Promise.all(requests);
      expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 202));
      expect(sends.reduce((a, b) => a + b, 0)).toBe(40);
      expect(sends.length).toBeLessThan(5);
    } finally {
      await gatedApp.close();
      await gatedEmitter.close();
    }
  });

  it('answers 503 with Retry-After and keeps nothing when Kafka is unreachable and the emitter does not spool', async () => {
    const down: Transport = {
      async send() {
        throw Object.assign(new Error('ECONNREFUSED'), { retriable: true });
      },
      async close() {},
    };
    const rejecting = await createEmitter({ name: 'gw-down', dataDir, transport: down, whenKafkaUnavailable: 'reject' });
    const downApp = buildGatewayApp({ emitter: rejecting, tokens, retryAfterSeconds: 7 });
    try {
      const res = await downApp.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: await example('EvidenceManifest.training.json') });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('7');
      expect(res.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      expect(rejecting.stats()).toMatchObject({ spooled: 0, failed: 1 });
    } finally {
      await downApp.close();
      await rejecting.close();
    }
  });

  it('puts a record-mode signature in the header the notary reads, and refuses one made over other bytes', async () => {
    const manifest = await example('EvidenceManifest.training.json');
    const probe = emitter.encode('EvidenceManifest', manifest, { format: 'json' });
    const signatures = [{ contentHash: probe.contentHash, emitterEnvelope: [{ keyid: 'k1', sig: 'c2ln' }] }];
    const ok = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { records: [manifest], signatures } });
    expect(ok.statusCode).toBe(202);
    expect(transport.sent[0]!.headers['probity-emitter-envelope']).toBe(JSON.stringify(signatures[0]!.emitterEnvelope));

    const other = { ...manifest, run_id: 'another-run' };
    const bad = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { records: [other], signatures } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'SIGNATURE_INVALID', issues: [{ index: 0, path: 'signatures[0].contentHash' }] } });
    expect(transport.sent).toHaveLength(1);
  });

  it('checks a batch signature\'s proof and tenant before accepting it', async () => {
    const manifest = await example('EvidenceManifest.training.json');
    const records = [manifest, { ...manifest, run_id: 'run-2' }];
    const hashes = records.map((r) => emitter.encode('EvidenceManifest', r, { format: 'json' }).contentHash);
    const key = generateSigningKey('python-like');
    const proofs = signEmitterBatch('acme-bank', hashes.map((h) => Buffer.from(h, 'hex')), key);
    const signatures = proofs.map((p, i) => ({ contentHash: hashes[i], emitterBatch: p }));
    const swapped = [{ ...signatures[0], emitterBatch: proofs[1] }, signatures[1]];
    const bad = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { records, signatures: swapped } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'SIGNATURE_INVALID', issues: [{ index: 0, path: 'signatures[0].emitterBatch' }] } });
    expect(transport.sent).toHaveLength(0);

    const ok = await app.inject({ method: 'POST', url: '/v1/manifests', headers: auth('acme-token'), payload: { records, signatures } });
    expect(ok.statusCode).toBe(202);
    expect(transport.sent.map((m) => JSON.parse(m.headers['probity-emitter-batch']!).index)).toEqual([0, 1]);
  });

  it('reports health', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.json()).toEqual({ status: 'ok' });
  });
});
