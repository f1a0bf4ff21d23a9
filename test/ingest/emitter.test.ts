import { createHash, verify } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmitter } from '@probity/agent';
import { generateSigningKey, preAuthEncoding } from '@probity/crypto';
import { decodeEmitterBatchStatement, EMITTER_BATCH_PAYLOAD_TYPE, emitterBatchIncludes, parseEmitterBatchHeader } from '@probity/evidence';
import { partitionForKey } from '@probity/kafka';
import { defaultRegistry } from '@probity/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaForTests } from '../helpers/index.js';
import { readTopic, sampleManifest } from './ingest-helpers.js';

describe('emitter against the real broker', () => {
  const broker = kafkaForTests();
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'probity-ingest-'));
  });
  afterAll(async () => {
    await broker.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('puts every manifest on the topic with the wire contract: key, headers, bytes, signature', async () => {
    const topic = await broker.createTopic({ prefix: 'test-raw', partitions: 3 });
    const key = generateSigningKey('pipeline');
    const emitter = await createEmitter({ name: 'n-manifests', dataDir, topic, brokers: broker.brokers, signer: key });
    const count = 300;
    const manifests = Array.from({ length: count }, (_, i) => sampleManifest(i));
    const results = await Promise.all(manifests.map((m) => emitter.emit(m, { format: 'json' })));
    expect(results.every((r) => r.durable === 'kafka')).toBe(true);
    expect(emitter.stats()).toMatchObject({ emitted: count, acked: count, spooled: 0, failed: 0, queueDepth: 0 });
    await emitter.close();

    const messages = await readTopic(broker.kafka, topic, count);
    expect(messages).toHaveLength(count);
    const registry = defaultRegistry();
    const byKey = new Map(messages.map((m) => [m.key, m]));
    manifests.forEach((manifest, i) => {
      const converted = registry.fromJson('EvidenceManifest', manifest);
      if (!converted.ok) throw new Error('sample must be valid');
      const bytes = registry.encode('EvidenceManifest', converted.value);
      const hash = createHash('sha256').update(bytes).digest('hex');
      expect(results[i]!.contentHash).toBe(hash);
      const message = byKey.get(hash);
      expect(message, `manifest ${i}`).toBeDefined();
      expect(message!.value.equals(bytes)).toBe(true);
      expect(message!.headers['probity-tenant']).toBe('acme-bank');
      // Signed per batch (the SDK's default): one signature over a tree of content hashes, and this record's proof.
      const batch = parseEmitterBatchHeader(message!.headers['probity-emitter-batch']!);
      const [signature] = batch.signatures;
      expect(signature!.keyid).toBe(key.keyId);
      const payload = Buffer.from(batch.payload, 'base64');
      expect(verify(null, preAuthEncoding(EMITTER_BATCH_PAYLOAD_TYPE, payload), key.publicKey, Buffer.from(signature!.sig, 'base64'))).toBe(true);
      expect(emitterBatchIncludes(decodeEmitterBatchStatement(payload), Buffer.from(hash, 'hex'), batch.index, batch.proof)).toBe(true);
    });
    // Same key, same partition: a duplicate would meet its original in one log shard. The SDK packs each
    // partition's records into raw packs (far fewer Kafka messages), every record still in its key's partition.
    expect(new Set(messages.map((m) => m.partition)).size).toBe(3);
    for (const message of messages) expect(message.partition).toBe(partitionForKey(message.key, 3));
    expect(messages.filter((m) => m.packIndex !== null).length).toBe(count);
    expect(new Set(messages.map((m) => `${m.partition}:${m.offset}`)).size).toBeLessThan(count / 10);
    // Nothing was spooled, and closing left no segment behind.
    expect((await readdir(path.join(dataDir, 'spool', 'n-manifests'))).filter((f) => f.startsWith('seg-'))).toEqual([]);
  });

  it('sends one Kafka message per record with maxPackBytes 0 (for notaries of builds before raw packs)', async () => {
    const topic = await broker.createTopic({ prefix: 'test-raw-unpacked', partitions: 3 });
    const emitter = await createEmitter({ name: 'unpacked', dataDir, topic, brokers: broker.brokers, maxPackBytes: 0 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => emitter.emit(sampleManifest(i), { format: 'json' })));
    await emitter.close();
    const messages = await readTopic(broker.kafka, topic, 50);
    expect(messages.every((m) => m.packIndex === null)).toBe(true);
    expect(new Set(messages.map((m) => `${m.partition}:${m.offset}`)).size).toBe(50);
    expect(new Set(messages.map((m) => m.key))).toEqual(new Set(results.map((r) => r.contentHash)));
    for (const message of messages) expect(message.partition).toBe(partitionForKey(message.key, 3));
  });
});
