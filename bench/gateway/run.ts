/**
 * The ingest gateway against the SDK, in one run (`npx tsx bench/gateway/run.ts [seconds per phase]`).
 *
 * Starts the gateway as a process of its own (services/ingest-gateway/src/main.ts,
 * throwaway topics and data dir), then drives it over HTTP keep-alive from this
 * process: single-record `POST /v1/manifests` at 1, 8 and 64 concurrent clients
 * (requests/s, p50/p99 of request → 202), then batches of 100 from 8 clients
 * (manifests/s). Then the SDK in this process (gateway idle) emits the same
 * manifests to the same raw topic: emits/s to the Kafka ack. Every rate counts
 * acknowledged records only (Kafka acks=all), so the figures compare.
 */
import { spawn } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmitter } from '@probity/agent';
import { loadCommonConfig } from '@probity/config';
import { createKafka, ensureTopics, evidenceTopics } from '@probity/kafka';

const phaseSeconds = Number(process.argv[2] ?? 8);
const repo = path.resolve(import.meta.dirname, '../..');
const brokers = loadCommonConfig().KAFKA_BROKERS;
const example = JSON.parse(await readFile(path.join(repo, 'schemas/examples/EvidenceManifest.training.json'), 'utf8')) as Record<string, unknown>;
let counter = 0;
const manifest = () => ({ ...example, manifest_id: randomUUID(), run_id: `bench-${counter++}` });

const freePort = async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

const namespace = `bench-gw-${randomUUID().slice(0, 8)}`;
const topics = evidenceTopics(namespace);
const kafka = createKafka({ brokers, clientId: 'bench-gateway' });
await ensureTopics(kafka, 3, topics);
const dataDir = await mkdtemp(path.join(tmpdir(), 'probity-bench-gw-'));
const token = 'bench-token';
await writeFile(path.join(dataDir, 'tokens.json'), JSON.stringify({ tokens: [{ sha256: createHash('sha256').update(token).digest('hex'), tenant: 'acme-bank', role: 'emitter' }] }));
const port = await freePort();
const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
const gateway = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(repo, 'services/ingest-gateway/src/main.ts')], {
  cwd: repo,
  env: { ...process.env, PROBITY_DATA_DIR: dataDir, GATEWAY_PORT: String(port), GATEWAY_TOKENS_FILE: path.join(dataDir, 'tokens.json'), PROBITY_TOPIC_NAMESPACE: namespace, LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const gatewayCpu = () => readFile(`/proc/${gateway.pid}/stat`, 'utf8').then((s) => s.split(') ')[1]!.split(' ').slice(11, 13).map(Number).reduce((a, b) => a + b, 0) * 10);

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
function post(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/manifests', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForGateway(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await post(JSON.stringify(manifest()))) === 202) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the gateway did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}

let singleAt64: number | null = null;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** `clients` loops, each posting one body after the other, for `seconds`. */
async function drive(clients: number, seconds: number, body: () => string, recordsPerRequest: number) {
  const latencies: number[] = [];
  let failures = 0;
  const cpu0 = await gatewayCpu();
  const ownCpu0 = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const text = body();
        const t0 = performance.now();
        const status = await post(text);
        if (status === 202) latencies.push(performance.now() - t0);
        else failures += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuMs = (await gatewayCpu()) - cpu0;
  const own = process.cpuUsage(ownCpu0);
  latencies.sort((a, b) => a - b);
  return { requestsPerSec: latencies.length / elapsed, recordsPerSec: (latencies.length * recordsPerRequest) / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99), failures, gatewayCores: cpuMs / 1000 / elapsed, clientCores: (own.user + own.system) / 1e6 / elapsed };
}

try {
  await waitForGateway();
  await drive(8, 2, () => JSON.stringify(manifest()), 1); // warm-up: JIT, connections, kafkajs metadata
  console.log(`gateway (own process; GATEWAY_LINGER_MS=${process.env.GATEWAY_LINGER_MS ?? 'default'}), ${phaseSeconds} s per phase, acknowledged records only`);
  for (const clients of (process.env.BENCH_CLIENTS ?? '1,8,64').split(',').map(Number)) {
    const r = await drive(clients, phaseSeconds, () => JSON.stringify(manifest()), 1);
    if (clients === 64) singleAt64 = r.requestsPerSec;
    console.log(`single-record  ${String(clients).padStart(2)} clients: ${r.requestsPerSec.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   gateway CPU ${r.gatewayCores.toFixed(2)}, load generator ${r.clientCores.toFixed(2)} cores   non-202: ${r.failures}`);
  }
  if (process.env.BENCH_ONLY_SINGLE !== '1') await batchesAndSdk();
} finally {
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
  agent.destroy();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics), timeout: 10_000 }).catch(() => undefined);
  await admin.disconnect();
  await rm(dataDir, { recursive: true, force: true });
}

/** Batches of 100 through the gateway, then the SDK in this process (gateway idle) on the same topic. */
async function batchesAndSdk(): Promise<void> {
  const batch = await drive(8, phaseSeconds, () => JSON.stringify({ records: Array.from({ length: 100 }, manifest) }), 100);
  console.log(`batches of 100, 8 clients: ${batch.recordsPerSec.toFixed(0).padStart(6)} manifests/s   p50 ${batch.p50.toFixed(1)} ms   p99 ${batch.p99.toFixed(1)} ms   gateway CPU ${batch.gatewayCores.toFixed(2)} (${((batch.gatewayCores * 1e6) / batch.recordsPerSec).toFixed(0)} µs per manifest), load generator ${batch.clientCores.toFixed(2)} cores   non-202: ${batch.failures}`);

  // The SDK, same topic, same manifests (JSON form, as an HTTP caller has them), this process, gateway idle.
  const emitter = await createEmitter({ name: 'bench-sdk', dataDir, brokers, topic: topics.raw });
  await Promise.all(Array.from({ length: 2000 }, () => emitter.emit('EvidenceManifest', manifest(), { format: 'json' })));
  const sdkCount = Math.max(20_000, Math.round(batch.recordsPerSec * phaseSeconds));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < sdkCount; i++) {
    if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    pending.push(emitter.emit('EvidenceManifest', manifest(), { format: 'json' }));
  }
  await Promise.all(pending);
  const sdkRate = sdkCount / ((performance.now() - t0) / 1000);
  const sdkCpu = process.cpuUsage(cpu0);
  await emitter.close();
  console.log(`SDK emit (this process, JSON form) ${sdkCount} manifests: ${sdkRate.toFixed(0).padStart(6)} manifests/s   CPU ${((sdkCpu.user + sdkCpu.system) / sdkCount).toFixed(0)} µs per manifest (incl. making them)`);
  const single = singleAt64 === null ? '' : `   single-record at 64 clients / SDK: ${(singleAt64 / sdkRate).toFixed(2)}`;
  console.log(`ratio batches / SDK: ${(batch.recordsPerSec / sdkRate).toFixed(2)}${single}`);
}
