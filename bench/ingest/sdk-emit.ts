/**
 * SDK cost per emit against the real broker (`npx tsx bench/ingest/sdk-emit.ts [count]`).
 * Prints: the synchronous part of `enqueue` (validate + encode + hash + queue),
 * time to durability (enqueue → Kafka ack) in a burst and at a steady rate,
 * and burst throughput and process CPU per emit. Uses a throwaway topic and data dir.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmitter, type Emitter } from '@probity/agent';
import { loadCommonConfig } from '@probity/config';
import { createKafka } from '@probity/kafka';
import { defaultRegistry } from '@probity/schema';

const count = Number(process.argv[2] ?? 50_000);
const brokers = loadCommonConfig().KAFKA_BROKERS;
const registry = defaultRegistry();
const example = JSON.parse(await readFile(new URL('../../schemas/examples/EvidenceManifest.training.json', import.meta.url), 'utf8')) as unknown;
const converted = registry.fromJson<Record<string, unknown>>('EvidenceManifest', example);
if (!converted.ok) throw new Error('example invalid');
const base = converted.value;

const pct = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const summary = (label: string, values: Float64Array) => {
  const sorted = values.slice().sort();
  console.log(`${label}: p50 ${fmt(pct(sorted, 50))}  p99 ${fmt(pct(sorted, 99))}  max ${fmt(sorted[sorted.length - 1]!)}`);
};

async function run(emitter: Emitter, n: number, ratePerSec: number | null) {
  const sync = new Float64Array(n);
  const ack = new Float64Array(n);
  const pending: Promise<unknown>[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    if (ratePerSec !== null) {
      const due = started + (i * 1000) / ratePerSec;
      while (performance.now() < due) await new Promise((r) => setImmediate(r));
    } else if (i % 1000 === 0) {
      await new Promise((r) => setImmediate(r)); // let acks be processed, as a pipeline's event loop would
    }
    const t0 = performance.now();
    const { durable } = emitter.enqueue('EvidenceManifest', { ...base, manifest_id: randomUUID(), run_id: `bench-${i}` });
    const t1 = performance.now();
    sync[i] = t1 - t0;
    pending.push(durable.then(() => (ack[i] = performance.now() - t0)));
  }
  await Promise.all(pending);
  const cpu = process.cpuUsage(cpuBefore);
  return { sync, ack, seconds: (performance.now() - started) / 1000, cpuMicrosPerEmit: (cpu.user + cpu.system) / n };
}

const kafka = createKafka({ brokers, clientId: 'bench-sdk' });
const topic = `bench-sdk-${randomUUID()}`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
const dataDir = await mkdtemp(path.join(tmpdir(), 'probity-bench-'));
const emitter = await createEmitter({ name: 'bench', dataDir, topic, brokers });
try {
  await run(emitter, 2000, null); // warm up JIT and connection
  const burst = await run(emitter, count, null);
  console.log(`burst of ${count} emits (1000-message batches), ${(count / burst.seconds).toFixed(0)} msgs/s to durability, ${burst.cpuMicrosPerEmit.toFixed(1)} µs of process CPU per emit (encode + kafkajs produce)`);
  summary('  sync part of emit (validate+encode+hash+enqueue)', burst.sync);
  summary('  time to Kafka ack', burst.ack);
  const rate = 2000;
  const steady = await run(emitter, Math.min(count, 20_000), rate);
  console.log(`steady ${rate} emits/s, ${Math.min(count, 20_000)} emits`);
  summary('  sync part of emit', steady.sync);
  summary('  time to Kafka ack', steady.ack);
  console.log(`stats ${JSON.stringify({ ...emitter.stats(), spool: undefined })}`);
} finally {
  await emitter.close();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await rm(dataDir, { recursive: true, force: true });
}
