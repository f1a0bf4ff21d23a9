import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { readdir, stat } from 'node:fs/promises';
import { createEmitter } from '@probity/agent';
import { buildGatewayApp, hashToken, StaticTokenVerifier } from '@probity/ingest-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaForTests } from '../helpers/index.js';
import { readTopic, sampleManifest } from './ingest-helpers.js';

describe('ingest gateway over HTTP with a real emitter', () => {
  const broker = kafkaForTests();
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'probity-gateway-'));
  });
  afterAll(async () => {
    await broker.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts a batch with a tenant token and the records land on the topic', async () => {
    const topic = await broker.createTopic({ prefix: 'test-gateway', partitions: 3 });
    const emitter = await createEmitter({ name: 'gateway', dataDir, topic, brokers: broker.brokers });
    const tokens = new StaticTokenVerifier([{ sha256: hashToken('pipeline-token'), tenant: 'acme-bank', role: 'emitter' }]);
    const app = buildGatewayApp({ emitter, tokens });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}/v1/manifests`;
      const headers = { authorization: 'Bearer pipeline-token', 'content-type': 'application/json' };
      const records = Array.from({ length: 20 }, (_, i) => sampleManifest(i));
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ records }) });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { results: { index: number; contentHash: string; durable: string }[] };
      expect(body.results.map((r) => r.index)).toEqual(records.map((_, i) => i));
      expect(body.results.every((r) => r.durable === 'kafka')).toBe(true);

      const invalid = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ ...sampleManifest(0), principal: { kind: 'ROBOT', id: 'x' } }) });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toMatchObject({ error: { code: 'MANIFEST_INVALID', issues: [{ index: 0, path: 'principal.kind' }] } });

      const messages = await readTopic(broker.kafka, topic, records.length);
      expect(messages.map((m) => m.key).sort()).toEqual(body.results.map((r) => r.contentHash).sort());
    } finally {
      await app.close();
      await emitter.close();
    }
  });

  it('answers 503 with Retry-After when the broker is down, and keeps nothing it did not acknowledge', async () => {
    // A port nothing listens on: a broker that is down, without touching the shared one.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const emitter = await createEmitter({
      name: 'gateway-down',
      dataDir,
      brokers: [`127.0.0.1:${deadPort}`],
      whenKafkaUnavailable: 'reject',
      kafkaRetry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
    });
    const tokens = new StaticTokenVerifier([{ sha256: hashToken('pipeline-token'), tenant: 'acme-bank', role: 'emitter' }]);
    const app = buildGatewayApp({ emitter, tokens, retryAfterSeconds: 3 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/v1/manifests`, {
        method: 'POST',
        headers: { authorization: 'Bearer pipeline-token', 'content-type': 'application/json' },
        body: JSON.stringify({ records: [sampleManifest(0), sampleManifest(1)] }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(await res.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      expect(emitter.stats()).toMatchObject({ acked: 0, spooled: 0, failed: 2 });
      const spoolDir = path.join(dataDir, 'spool', 'gateway-down');
      const segments = (await readdir(spoolDir)).filter((f) => f.endsWith('.spool'));
      const sizes = await Promise.all(segments.map(async (f) => (await stat(path.join(spoolDir, f))).size));
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await app.close();
      await emitter.close();
    }
  });
});
