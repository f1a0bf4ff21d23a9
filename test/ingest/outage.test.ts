import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, verify } from 'node:crypto';
import { createEmitter, type Emitter } from '@probity/agent';
import { generateSigningKey, preAuthEncoding } from '@probity/crypto';
import { decodeEmitterBatchStatement, EMITTER_BATCH_PAYLOAD_TYPE, emitterBatchIncludes, parseEmitterBatchHeader } from '@probity/evidence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infraScript, kafkaForTests, repoRoot, waitFor } from '../helpers/index.js';
import { readTopic, sampleManifest } from './ingest-helpers.js';

/**
 * One broker outage serves both scenarios (the broker is shared, so its
 * downtime is kept short and it is always restarted in `finally`):
 * an emitter that spools while Kafka is down and replays when it returns, and
 * an emitter process SIGKILLed while spooling whose spool a new emitter replays.
 */
describe('broker outage', () => {
  const broker = kafkaForTests();
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'probity-outage-'));
  });
  afterAll(async () => {
    await broker.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('spools while Kafka is down, replays in order once, and recovers what a killed emitter had promised', async () => {
    const liveTopic = await broker.createTopic({ prefix: 'test-outage', partitions: 1 });
    const crashTopic = await broker.createTopic({ prefix: 'test-crash', partitions: 3 });
    // Signs per batch: records spooled during the outage must reach Kafka signed, with proofs that hold.
    const key = generateSigningKey('outage-emitter');
    const live = await createEmitter({ name: 'live', dataDir, topic: liveTopic, brokers: broker.brokers, replayInitialBackoffMs: 200, replayMaxBackoffMs: 1000, signer: key });
    const order: string[] = [];
    const emitMany = async (emitter: Emitter, from: number, count: number) => {
      const results = [];
      for (let i = from; i < from + count; i++) {
        const pending = emitter.emit(sampleManifest(i), { format: 'json' });
        results.push(pending);
      }
      const settled = await Promise.all(results);
      order.push(...settled.map((r) => r.contentHash));
      return settled;
    };

    const before = await emitMany(live, 0, 20);
    expect(before.every((r) => r.durable === 'kafka')).toBe(true);

    let promised: string[] = [];
    let killedStdout = '';
    const stop = await infraScript('kafka.sh', ['stop']);
    expect(stop.code, stop.stderr).toBe(0);
    try {
      const during = await emitMany(live, 20, 100);
      expect(during.every((r) => r.durable === 'spool')).toBe(true);
      expect(live.stats().mode).toBe('spool');

      // A second emitter process spools too, and is SIGKILLed mid-stream.
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/ingest/spooling-child.ts'), dataDir, 'crashing', crashTopic], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let childErr = '';
      child.stdout.on('data', (chunk: Buffer) => (killedStdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (childErr += chunk.toString('utf8')));
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      await waitFor(() => killedStdout.split('\n').length > 400, { timeoutMs: 60_000, intervalMs: 20, message: `the child to spool 400 records (stderr: ${childErr})` });
      child.kill('SIGKILL');
      await exited;
    } finally {
      const start = await infraScript('kafka.sh', ['start']);
      expect(start.code, start.stderr).toBe(0);
    }

    // Only whole lines: the kill may cut the last one.
    const lines = killedStdout.split('\n').slice(0, -1);
    expect(lines.every((l) => l.startsWith('spool '))).toBe(true);
    promised = lines.map((l) => l.slice('spool '.length));

    // The live emitter replays on its own; new emits queue behind the spool.
    const after = await emitMany(live, 120, 10);
    await waitFor(() => live.stats().mode === 'kafka' && live.stats().spool.segments === 0, { timeoutMs: 60_000, message: 'the live spool to drain' });
    expect(after.every((r) => r.durable === 'spool' || r.durable === 'kafka')).toBe(true);
    expect(live.stats()).toMatchObject({ replayed: live.stats().spooled, failed: 0 });
    await live.close();

    const liveMessages = await readTopic(broker.kafka, liveTopic, order.length);
    // Exactly once, in emit order (one partition keeps the order).
    expect(liveMessages.map((m) => m.key)).toEqual(order);
    for (const message of liveMessages) {
      const batch = parseEmitterBatchHeader(message.headers['probity-emitter-batch']!);
      const payload = Buffer.from(batch.payload, 'base64');
      expect(verify(null, preAuthEncoding(EMITTER_BATCH_PAYLOAD_TYPE, payload), key.publicKey, Buffer.from(batch.signatures[0]!.sig, 'base64'))).toBe(true);
      expect(emitterBatchIncludes(decodeEmitterBatchStatement(payload), createHash('sha256').update(message.value).digest(), batch.index, batch.proof)).toBe(true);
    }

    // A new emitter with the crashed one's name takes over its spool and replays it.
    const heir = await createEmitter({ name: 'crashing', dataDir, topic: crashTopic, brokers: broker.brokers });
    await waitFor(() => heir.stats().mode === 'kafka', { timeoutMs: 60_000, message: 'the crashed spool to be replayed' });
    const replayed = heir.stats().replayed;
    await heir.close();
    expect(replayed).toBeGreaterThanOrEqual(promised.length);
    expect((await readdir(path.join(dataDir, 'spool', 'crashing'))).filter((f) => f.startsWith('seg-'))).toEqual([]);

    const crashMessages = await readTopic(broker.kafka, crashTopic, replayed);
    const inTopic = new Set(crashMessages.map((m) => m.key));
    const missing = promised.filter((hash) => !inTopic.has(hash));
    expect(missing).toEqual([]);
    // Each spooled record once (records appended but not yet reported by the child are there too).
    expect(crashMessages).toHaveLength(replayed);
    expect(inTopic.size).toBe(crashMessages.length);
  });
});
