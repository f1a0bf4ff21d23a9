import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmitter } from '@probity/agent';
import { loadCommonConfig } from '@probity/config';
import { expandSignedBatch, parseSignedBatch, toBundle, verifySignedRecord, type SignedRecordMessage } from '@probity/evidence';
import { createKafka, evidenceTopics } from '@probity/kafka';
import { parsePublicKeyring, publicKeyringPath, toTrustedKeys } from '@probity/keystore';
import { repoRoot, runCli, uniqueName, waitFor } from '../helpers/index.js';
import { manifestJson } from '../notary/fixtures.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'probity-e2e-'));
const namespace = uniqueName('e2e');
const topics = evidenceTopics(namespace);
const brokers = loadCommonConfig().KAFKA_BROKERS;
let services: ChildProcess;
let env: NodeJS.ProcessEnv;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  env = {
    PROBITY_DATA_DIR: dataDir,
    PROBITY_TOPIC_NAMESPACE: namespace,
    PROBITY_API_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    PROBITY_SCHEDULER_QUEUE: namespace,
    NOTARY_GROUP_ID: `${namespace}-notary`,
    SINK_GROUP_ID: `${namespace}-sink`,
    LOG_LEVEL: 'warn',
  };
  services = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'services/local/src/main.ts')], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  services.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(
    async () => {
      if (services.exitCode !== null) throw new Error(`services exited ${services.exitCode}: ${stderr.slice(-2000)}`);
      return (await fetch(`http://127.0.0.1:${env.PROBITY_API_PORT}/healthz`).catch(() => undefined))?.ok;
    },
    { timeoutMs: 90_000, message: 'the local services to answer /healthz' },
  );
});

afterAll(async () => {
  if (services && services.exitCode === null) {
    const exited = new Promise((resolve) => services.once('exit', resolve));
    services.kill('SIGTERM');
    await exited;
  }
  const admin = createKafka({ brokers, clientId: 'e2e-cleanup' }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topics.raw, topics.signed, topics.dlq] }).catch(() => undefined);
  await admin.disconnect();
});

/** The signed topic's batches, expanded and root-checked, as records. */
async function readSigned(expected: number): Promise<SignedRecordMessage[]> {
  const kafka = createKafka({ brokers, clientId: 'e2e-reader' });
  const consumer = kafka.consumer({ groupId: uniqueName('e2e-reader'), readUncommitted: false, maxWaitTimeInMs: 100 });
  const seen: SignedRecordMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: topics.signed, fromBeginning: true });
  await consumer.run({ eachBatch: async ({ batch }) => void batch.messages.forEach((m) => seen.push(...expandSignedBatch(parseSignedBatch(m.value)))) });
  try {
    await waitFor(() => seen.length >= expected, { timeoutMs: 180_000, message: `${expected} signed records (saw ${seen.length})` });
    // Duplicates would show up behind the expected count: give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 2000));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('end to end: SDK → notary → sink → audit API → offline verify', () => {
  it('10,000 manifests across tenants land exactly once with valid proofs, and an auditor verifies one offline', async () => {
    const tenants = ['acme', 'globex', 'initech'];
    const emitter = await createEmitter({ name: 'e2e', dataDir, brokers, topic: topics.raw });
    const hashes = new Set<string>();
    try {
      for (let n = 0; n < 10_000; n += 1) {
        const { contentHash } = emitter.enqueue('EvidenceManifest', manifestJson(tenants[n % 3]!, n), { format: 'json' });
        hashes.add(contentHash);
      }
      await emitter.flush();
    } finally {
      await emitter.close({ drainTimeoutMs: 10_000 });
    }
    expect(hashes.size).toBe(10_000);

    const bodies = await readSigned(10_000);
    expect(bodies).toHaveLength(10_000);
    expect(new Set(bodies.map((b) => b.content_hash))).toEqual(hashes);
    const keysDir = path.join(dataDir, 'keys', 'notary');
    const keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(keysDir), 'utf8')), 'keyring');
    const notaryKeys = toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
    const invalid = bodies.filter((b) => !verifySignedRecord(toBundle(b), { notaryKeys }).valid);
    expect(invalid.map((b) => b.content_hash)).toEqual([]);

    // The auditor's side: the API has them all, for the right tenant only.
    const cliEnv = { ...env, PROBITY_API_URL: `http://127.0.0.1:${env.PROBITY_API_PORT}` };
    const token = await runCli(['token', 'create', '--tenant', 'globex', '--role', 'auditor'], { env: cliEnv });
    expect(token.code, token.stderr).toBe(0);
    const auditorToken = (JSON.parse(token.stdout) as { token: string }).token;
    await waitFor(
      async () => {
        const result = await runCli(['query', '--token', auditorToken, '--format', 'json'], { env: cliEnv });
        return result.code === 0 && (JSON.parse(result.stdout) as unknown[]).length === Math.floor(10_000 / 3);
      },
      { timeoutMs: 120_000, intervalMs: 1000, message: "globex's 3,333 records through `probity query`" },
    );

    const globexHash = bodies.find((b) => b.tenant === 'globex')!.content_hash;
    const acmeHash = bodies.find((b) => b.tenant === 'acme')!.content_hash;
    const got = await runCli(['evidence', 'get', globexHash, '--json', '--token', auditorToken], { env: cliEnv });
    expect(got.code, got.stderr).toBe(0);
    const file = path.join(dataDir, 'evidence.json');
    writeFileSync(file, got.stdout);
    const verified = await runCli(['verify', file, '--keyring', publicKeyringPath(keysDir)], { env: cliEnv });
    expect(verified.stdout).toContain('VALID');
    expect(verified.code, verified.stdout).toBe(0);

    // Another tenant's record is invisible to this auditor.
    const foreign = await runCli(['evidence', 'get', acmeHash, '--json', '--token', auditorToken], { env: cliEnv });
    expect(foreign.code).not.toBe(0);
  });

  it('`probity demo` (the quickstart\'s main job) runs through the stack and ends with a valid offline verification', async () => {
    const result = await runCli(['demo'], { env: { ...env, PROBITY_API_URL: `http://127.0.0.1:${env.PROBITY_API_PORT}` }, timeoutMs: 240_000 });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).toContain('DLQ: reason SEMANTIC_INVALID');
    expect(result.stdout).toContain('credit-risk-release-4.2.0');
    expect(result.stdout).toMatch(/coverage Q3 2026: \d+ of \d+ catalog controls have evidence/);
    expect(result.stdout).toContain('VALID');
    // The promotions go through the gate: two allowed, churn's (no consent flag on its data) denied with the reason.
    expect(result.stderr).toMatch(/promotion gate: the shipped policy passed its \d+ Rego tests, compiled to wasm, registered as v1/);
    expect(result.stdout).toMatch(/ALLOW promotion of run credit-risk-release-4\.2\.0 /);
    expect(result.stdout).toMatch(/ALLOW promotion of run fraud-detect-release-2\.1\.0 /);
    expect(result.stdout).toMatch(/DENY promotion of run churn-release-1\.3\.0 .*\n  - dataset churn-dataset-2026q2 has no consent flag\n/);
    // The shipped demo studies ran on what the demo emitted, and their records were notarized.
    expect(result.stdout).toMatch(/demo-credit-risk-drift \(drift, due [^)]+\): CRITICAL/);
    expect(result.stdout).toMatch(/debt_ratio .*→ CRITICAL/);
    expect(result.stdout).toMatch(/demo-latency-p99-calibration \(calibration, due [^)]+\): PASS/);
    expect(result.stdout).toMatch(/demo-latency-p99-otel-calibration \(calibration, due [^)]+\): FAIL/);
    expect(result.stdout).toMatch(/→ Incident CRITICAL "Critical drift for model credit-risk" [0-9a-f]{16}… \(shard \d+, leaf \d+\)/);
    expect(result.stdout).toMatch(/→ Incident MEDIUM "Monitoring metric latency_p99_ms out of calibration"/);
    expect(result.stdout).toMatch(/iso9001:9\.1\.3 +[1-9]\d* records?/);
    // After the drift study's CRITICAL verdict and incident, the gate denies credit-risk's promotion.
    expect(result.stdout).toMatch(/DENY promotion of run credit-risk-release-4\.2\.0 [^\n]*\n(  - [^\n]*\n)*  - latest drift study demo-credit-risk-drift is CRITICAL\n/);
    expect(result.stdout).toMatch(/DENY promotion of run credit-risk-release-4\.2\.0 [^\n]*\n(  - [^\n]*\n)*  - open CRITICAL incident /);
    // The auditor's view at the end: this quarter's ISO 9001 coverage with the studies' findings, the gaps, and a package verified offline.
    expect(result.stdout).toMatch(/iso9001:9\.1\.3 +NONCONFORMING +\d+ record\(s\) +1 open finding\(s\) at the period's end: study demo-credit-risk-drift last ended CRITICAL/);
    expect(result.stdout).toMatch(/gaps: \d+ open, each with a POA&M item/);
    expect(result.stdout).toMatch(/✓ recomputed +\d+ derived files recomputed from the records and equal\nVALID\n/);
    expect(result.stdout).toContain('Demo complete');

    // An auditor's package of the demo quarter: `probity audit verify` accepts it, and refuses it after one changed byte.
    const cliEnv = { ...env, PROBITY_API_URL: `http://127.0.0.1:${env.PROBITY_API_PORT}` };
    const file = path.join(dataDir, 'demo-q3.tar.gz');
    const built = await runCli(['audit', 'package', '--tenant', 'demo-bank', '--framework', 'iso42001', '--from', '2026-07-01', '--to', '2026-09-30', '-o', file], { env: cliEnv, timeoutMs: 180_000 });
    expect(built.code, built.stderr.slice(-3000)).toBe(0);
    const keyring = publicKeyringPath(path.join(dataDir, 'keys', 'notary'));
    const verified = await runCli(['audit', 'verify', file, '--keyring', keyring], { env: cliEnv });
    expect(verified.code, verified.stdout.slice(-3000)).toBe(0);
    expect(verified.stdout).toMatch(/package of demo-bank, iso42001, .*: [1-9]\d* records/);
    // A later package with --previous carries consistency proofs from the first one's checkpoints.
    const later = path.join(dataDir, 'demo-q3-later.tar.gz');
    const rebuilt = await runCli(['audit', 'package', '--tenant', 'demo-bank', '--framework', 'iso42001', '--from', '2026-07-01', '--to', '2026-09-30', '--previous', file, '-o', later], { env: cliEnv, timeoutMs: 180_000 });
    expect(rebuilt.code, rebuilt.stderr.slice(-3000)).toBe(0);
    const laterVerified = await runCli(['audit', 'verify', later, '--keyring', keyring, '--json'], { env: cliEnv });
    expect(laterVerified.code, laterVerified.stdout.slice(-3000)).toBe(0);
    expect(JSON.parse(laterVerified.stdout).checks.find((c: { name: string }) => c.name === 'consistency').ok).toBe(true);
    const { readPackage, writePackage } = await import('../audit-package/package-helpers.js');
    const consistency = JSON.parse(new Map(await readPackage(readFileSync(later))).get('consistency.json')!.toString());
    expect(consistency.length).toBeGreaterThan(0);
    const files = await readPackage(readFileSync(file));
    const changed = files.map(([n, b]): [string, Buffer] => [n, n === 'coverage.json' ? Buffer.concat([b, Buffer.from(' ')]) : b]);
    writeFileSync(file, await writePackage(changed));
    const refused = await runCli(['audit', 'verify', file, '--keyring', keyring], { env: cliEnv });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('files: coverage.json: SHA-256');
  });
});
