/**
 * Ingest throughput and latency, in one run (`npx tsx bench/ingest/run.ts [count]`):
 *  (a) bare kafkajs produce → consume of the same bytes on the same broker;
 *  (b) the full path: SDK emit → raw topic → notary (own process) → signed topic;
 *  their ratio, notary CPU per manifest, the SDK's per-call cost, end-to-end
 *  latency at a steady rate (read by a reader process of its own), and the
 *  same with emitter signatures required,
 *  against the bare Ed25519 verify rate; then (d, e) the notary alone draining
 *  a backlog, unsigned and signed. Prints figures; never fails on them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID, createHash, sign, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmitter, type Emitter } from '@probity/agent';
import { loadCommonConfig } from '@probity/config';
import { exportPublicKeyBase64, generateSigningKey } from '@probity/crypto';
import { createKafka, ensureTopics, evidenceTopics, type Kafka } from '@probity/kafka';
import { defaultRegistry } from '@probity/schema';
import { brokerPid, countRecords, cpuShares, createTopic, dropTopics, processCpuSeconds, readSignedElsewhere } from './measure.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const count = Number(process.argv[2] ?? 100_000);
const brokers = loadCommonConfig().KAFKA_BROKERS;
const registry = defaultRegistry();
const example = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/examples/EvidenceManifest.training.json'), 'utf8'));
const parsed = registry.fromJson<Record<string, unknown>>('EvidenceManifest', example);
if (!parsed.ok) throw new Error('example manifest invalid');
const base = parsed.value;
const manifest = (tenant: string, i: number) => ({ ...base, tenant, manifest_id: randomUUID(), run_id: `bench-${i}` });

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (v: number) => (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(1)} ms`);
const log = (line: string) => process.stdout.write(`${line}\n`);

/** CPU of this process, the broker and the notary since the call: a line of µs per manifest, and the notary's seconds. */
function cpuMeter(notaryPid?: number) {
  const broker = brokerPid();
  const self0 = process.cpuUsage();
  const broker0 = broker ? processCpuSeconds(broker) : 0;
  const notary0 = notaryPid ? processCpuSeconds(notaryPid) : 0;
  return (manifests: number): { line: string; notarySeconds: number } => {
    const self = process.cpuUsage(self0);
    const notarySeconds = notaryPid ? processCpuSeconds(notaryPid) - notary0 : 0;
    const per = (seconds: number) => `${((seconds / manifests) * 1e6).toFixed(0)} µs`;
    const parts = [`bench process (producer + consumer${notaryPid ? ' + SDK' : ''}) ${per((self.user + self.system) / 1e6)}`];
    if (notaryPid) parts.push(`notary ${per(notarySeconds)}`);
    parts.push(broker ? `broker ${per(processCpuSeconds(broker) - broker0)}` : 'broker n/a');
    return { line: `CPU per manifest: ${parts.join(', ')}`, notarySeconds };
  };
}

async function bare(kafka: Kafka, bytes: Buffer[]): Promise<number> {
  const topic = await createTopic(kafka, 'bench-bare');
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const cpu = cpuMeter();
  const start = performance.now();
  const consumed = countRecords(kafka, topic, bytes.length);
  for (let i = 0; i < bytes.length; i += 1000) {
    await producer.send({ topic, acks: -1, messages: bytes.slice(i, i + 1000).map((value) => ({ key: createHash('sha256').update(value).digest('hex'), value })) });
  }
  const end = await consumed;
  log(`  (a) ${cpu(bytes.length).line}`);
  await producer.disconnect();
  await dropTopics(kafka, [topic]);
  return bytes.length / ((end - start) / 1000);
}

function startNotary(namespace: string, dataDir: string): Promise<ChildProcess> {
  // BENCH_NOTARY_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the notary.
  const nodeArgs = (process.env.BENCH_NOTARY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(repoRoot, 'services/notary/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, PROBITY_DATA_DIR: dataDir, PROBITY_TOPIC_NAMESPACE: namespace, NOTARY_GROUP_ID: `bench-notary-${namespace}`, LOG_LEVEL: process.env.BENCH_NOTARY_LOG_LEVEL ?? 'warn' },
    // BENCH_NOTARY_LOG=<file> keeps the notary's log (with BENCH_NOTARY_LOG_LEVEL=debug: per-transaction phase times).
    stdio: ['ignore', 'pipe', process.env.BENCH_NOTARY_LOG ? openSync(process.env.BENCH_NOTARY_LOG, 'a') : 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('notary ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`notary exited with ${code}`)));
  });
}

/** Fresh topics and data dir, the tenant policy (signatures required or not) and an emitter. */
async function prepare(kafka: Kafka, options: { signed: boolean }) {
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const topics = evidenceTopics(namespace);
  await ensureTopics(kafka, Number(process.env.BENCH_PARTITIONS ?? 3), topics);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-ingest-'));
  const key = generateSigningKey('bench-emitter');
  if (options.signed) {
    mkdirSync(path.join(dataDir, 'config'), { recursive: true });
    writeFileSync(
      path.join(dataDir, 'config', 'tenants.json'),
      JSON.stringify({ tenants: { bench: { requireEmitterSignatures: true, emitterKeys: [{ keyId: key.keyId, publicKey: exportPublicKeyBase64(key.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' }] } } }),
    );
  }
  const emitter: Emitter = await createEmitter({
    name: 'bench',
    dataDir,
    brokers,
    topic: topics.raw,
    ...(options.signed ? { signer: { keyId: key.keyId, privateKey: key.privateKey, mode: signMode } } : {}),
  });
  return { namespace, topics, dataDir, emitter };
}

/**
 * The notary alone: a backlog of `count` manifests is in the raw topic before
 * it starts, so nothing else competes for the cores while it drains. Time and
 * CPU run from "notary ready" (modules loaded, consumer started) to the last
 * signed record; the group join and shard recovery fall inside, so the rate is
 * a lower bound.
 */
async function drain(kafka: Kafka, label: string, options: { signed: boolean }) {
  const { namespace, topics, dataDir, emitter } = await prepare(kafka, options);
  await Promise.all(Array.from({ length: count }, (_, i) => emitter.enqueue('EvidenceManifest', manifest('bench', i)).durable));
  await emitter.close();
  const drained = countRecords(kafka, topics.signed, count);
  const notary = await startNotary(namespace, dataDir);
  const readyAt = performance.now();
  const cpuAtReady = processCpuSeconds(notary.pid!);
  const end = await drained;
  const cpu = processCpuSeconds(notary.pid!) - cpuAtReady;
  notary.kill('SIGTERM');
  await dropTopics(kafka, Object.values(topics));
  const seconds = (end - readyAt) / 1000;
  const rate = count / seconds;
  log(`${label}: notary alone drains a backlog at ${rate.toFixed(0)} manifests/s; notary CPU ${((cpu / count) * 1e6).toFixed(0)} µs/manifest, ${(cpu / seconds).toFixed(2)} cores`);
  return { rate, cpuPerManifest: cpu / count, cores: cpu / seconds };
}

async function fullPath(kafka: Kafka, label: string, options: { signed: boolean }) {
  const { namespace, topics, dataDir, emitter } = await prepare(kafka, options);
  const notary = await startNotary(namespace, dataDir);
  log(`  ${label}: notary started`);
  const values = Array.from({ length: count }, (_, i) => manifest('bench', i));

  // Throughput: emit everything as fast as the SDK takes it.
  const meter = cpuMeter(notary.pid!);
  const syncCosts: number[] = [];
  const start = performance.now();
  const signedDone = countRecords(kafka, topics.signed, count);
  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    const t0 = performance.now();
    acks.push(emitter.enqueue('EvidenceManifest', values[i]).durable);
    syncCosts.push(performance.now() - t0);
  }
  await Promise.all(acks);
  log(`  ${label}: all ${count} emits durable after ${((performance.now() - start) / 1000).toFixed(1)} s`);
  const end = await signedDone;
  log(`  ${label}: all ${count} on the signed topic after ${((end - start) / 1000).toFixed(1)} s`);
  const seconds = (end - start) / 1000;
  const rate = count / seconds;
  const { line: cpuLine, notarySeconds: cpu } = meter(count);
  log(`  ${label}: ${cpuLine}`);

  // Latency: a steady 1,000 manifests/s for 5 s, emit resolved → record on the signed topic,
  // split at the signed message's timestamp (when the notary produced it, before its transaction committed).
  const resolvedAt = new Map<string, number>();
  const seenAt = new Map<string, { seenAt: number; producedAt: number; key: string }>();
  const steady = 5000;
  // The reader runs in a process of its own (an independent reader, as a sink is) and reads the signed
  // topic from the start: let it pass the first phase's records before the clock starts, or the first
  // steady records wait behind that backlog (~250–450 ms, once).
  let caughtUp!: () => void;
  const pastBacklog = new Promise<void>((resolve) => (caughtUp = resolve));
  let allSeen!: () => void;
  const latencyDone = new Promise<void>((resolve) => (allSeen = resolve));
  let consumed = 0;
  const reader = readSignedElsewhere(topics.signed, ({ seenAt: at, messages }) => {
    const before = consumed;
    for (const { key, producedAt, contentHashes } of messages) {
      consumed += contentHashes.length;
      for (const hash of contentHashes) seenAt.set(hash, { seenAt: at, producedAt, key });
    }
    if (before < count && consumed >= count) caughtUp();
    if (consumed >= count + steady) allSeen();
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  let steadyCpu = 'n/a';
  try {
    await Promise.race([pastBacklog, reader.failed]);
    loopDelay.enable();
    const sharesSinceSteady = cpuShares({ broker: brokerPid(), notary: notary.pid, 'bench (SDK)': process.pid, reader: reader.pid });
    const steadyStart = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < steady; i++) {
      // 5 manifests every 5 ms rather than one a millisecond: a sleep and wake costs ~100 µs of CPU on this
      // machine, and a 1 ms timer took ~8% of a core from the notary and the broker. The SDK lingers 5 ms anyway.
      const due = steadyStart + Math.floor(i / 5) * 5;
      while (performance.now() < due) await new Promise((r) => setTimeout(r, due - performance.now()));
      const enq = emitter.enqueue('EvidenceManifest', manifest('bench', count + i));
      pending.push(enq.durable.then((r) => resolvedAt.set((r as { contentHash: string }).contentHash, Date.now())));
    }
    await Promise.race([Promise.all(pending).then(() => latencyDone), reader.failed]);
    steadyCpu = sharesSinceSteady();
  } finally {
    reader.stop();
    loopDelay.disable();
  }
  const latencies: number[] = [];
  const toProduced: number[] = [];
  const producedToSeen: number[] = [];
  const trace: string[] = [];
  for (const [hash, resolved] of resolvedAt) {
    const seen = seenAt.get(hash);
    if (!seen) throw new Error(`record ${hash} was emitted but never seen on ${topics.signed}`);
    latencies.push(seen.seenAt - resolved);
    toProduced.push(seen.producedAt - resolved);
    producedToSeen.push(seen.seenAt - seen.producedAt);
    trace.push(`${resolved} ${seen.producedAt} ${seen.seenAt} ${seen.key}`);
  }
  log(`  ${label}: CPU while steady: ${steadyCpu}`);
  log(`  ${label}: this process's event-loop delay while steady: p50 ${ms(loopDelay.percentile(50) / 1e6)} p99 ${ms(loopDelay.percentile(99) / 1e6)} max ${ms(loopDelay.max / 1e6)}`);
  // BENCH_LATENCY_TRACE=<file>: one line per record, "resolved produced seen key" (epoch ms; key = the signed
  // message's `<shard>:<first index>`, to match the notary's debug log), for finding stalls.
  if (process.env.BENCH_LATENCY_TRACE) writeFileSync(`${process.env.BENCH_LATENCY_TRACE}.${label.slice(1, 2)}`, `${trace.join('\n')}\n`);
  log(`  ${label}: e2e split: resolved → notary produced p50 ${ms(pct(toProduced, 50))} p99 ${ms(pct(toProduced, 99))}; produced → seen committed p50 ${ms(pct(producedToSeen, 50))} p99 ${ms(pct(producedToSeen, 99))}`);

  await emitter.close();
  notary.kill('SIGTERM');
  await dropTopics(kafka, Object.values(topics));
  log(`${label}: ${rate.toFixed(0)} manifests/s emit→signed; notary CPU ${((cpu / count) * 1e6).toFixed(0)} µs/manifest; SDK sync p50 ${ms(pct(syncCosts, 50))} p99 ${ms(pct(syncCosts, 99))}; e2e latency p50 ${ms(pct(latencies, 50))} p99 ${ms(pct(latencies, 99))} (n=${latencies.length})`);
  return { rate, cpuPerManifest: cpu / count, cores: cpu / seconds };
}

function bareVerifyRate(): number {
  const key = generateSigningKey('bench');
  const data = Buffer.alloc(800, 7);
  const signature = sign(null, data, key.privateKey);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 1000) {
    verify(null, data, key.publicKey, signature);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

// BENCH_SIGN_MODE=record: the SDK signs each record (one Ed25519 verification per record in the notary)
// instead of each sent batch (the default; see EmitterBatchStatement).
const signMode = process.env.BENCH_SIGN_MODE === 'record' ? 'record' : 'batch';
const kafka = createKafka({ brokers, clientId: 'bench-ingest' });
log(`bench/ingest: emitter signatures (phases c, e) per ${signMode}; ${count} manifests of ${registry.encode('EvidenceManifest', manifest('bench', 0)).length} bytes, broker ${brokers.join(',')}, ${(await import('node:os')).cpus().length} cores`);
// BENCH_PHASES=<letters> runs only some phases (e.g. "de": the notary draining a backlog); all by default.
const phases = process.env.BENCH_PHASES ?? 'abcde';
const bytes = phases.includes('a') ? Array.from({ length: count }, (_, i) => registry.encode('EvidenceManifest', manifest('bench', i))) : [];
const bareRate = phases.includes('a') ? await bare(kafka, bytes) : NaN;
if (phases.includes('a')) log(`(a) bare kafkajs produce→consume: ${bareRate.toFixed(0)} msg/s`);
const verifyRate = bareVerifyRate();
// "Cores the notary uses" is measured: its CPU seconds over the run's wall seconds (more than one with
// NOTARY_INSPECT_THREADS; less than one when it shares the cores with the SDK and the broker, or waits for input).
// The percentage is then the verify cost over the notary's CPU per manifest. Also given counting at least one core.
const percentOfVerify = (run: { rate: number; cores: number }) =>
  `${((run.rate / (verifyRate * run.cores)) * 100).toFixed(0)}% of the bare verify rate of the ${run.cores.toFixed(2)} cores it used (target ≥ 80%; ${((run.rate / (verifyRate * Math.max(1, run.cores))) * 100).toFixed(0)}% counting at least one core)`;
if (phases.includes('b')) {
  const unsigned = await fullPath(kafka, '(b) full path, unsigned', { signed: false });
  log(`ratio full/bare: ${(unsigned.rate / bareRate).toFixed(2)} (target ≥ 0.5)`);
  if (phases.includes('a')) {
    // Bare rates here swing by a quarter between runs: measure bare again right after, and give the ratio to both.
    const bareAfter = await bare(kafka, bytes);
    const mean = (bareRate + bareAfter) / 2;
    log(`(a') bare again after (b): ${bareAfter.toFixed(0)} msg/s; ratio full/mean of both bare runs: ${(unsigned.rate / mean).toFixed(2)}`);
  }
}
if (phases.includes('c')) {
  const signedRun = await fullPath(kafka, '(c) full path, emitter signatures required', { signed: true });
  log(`bare Ed25519 verify: ${verifyRate.toFixed(0)}/s on one core; notary with signatures: ${signedRun.rate.toFixed(0)}/s = ${percentOfVerify(signedRun)}`);
}
if (phases.includes('d')) {
  const unsignedDrain = await drain(kafka, '(d) backlog, unsigned', { signed: false });
  log(`ratio notary-alone/bare: ${(unsignedDrain.rate / bareRate).toFixed(2)}`);
}
if (phases.includes('e')) {
  const signedDrain = await drain(kafka, '(e) backlog, emitter signatures required', { signed: true });
  log(`notary alone with signatures: ${signedDrain.rate.toFixed(0)}/s = ${percentOfVerify(signedDrain)}; bare verify ${verifyRate.toFixed(0)}/s per core`);
}
process.exit(0);
