import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
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
});
