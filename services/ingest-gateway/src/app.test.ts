import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmitter, type Emitter, type SpooledMessage, type Transport } from '@probity/agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

  it('reports health', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.json()).toEqual({ status: 'ok' });
  });
});
