import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmitter } from '@probity/agent';
import { loadCommonConfig } from '@probity/config';
import { createKafka, evidenceTopics } from '@probity/kafka';
import { repoRoot, runCli, uniqueName, waitFor } from '../helpers/index.js';
import { criticalIncident, runManifests } from './records.js';

// The whole path: `probity gate` (CLI) → audit API → warehouse (chDB) → wasm policy → PolicyDecision
// through the SDK → Kafka → notary → sink, with the local services process as `probity up` runs it.
const dataDir = mkdtempSync(path.join(tmpdir(), 'probity-gates-'));
const namespace = uniqueName('gates');
const topics = evidenceTopics(namespace);
const brokers = loadCommonConfig().KAFKA_BROKERS;
const tenant = 'acme';
let services: ChildProcess;
let env: NodeJS.ProcessEnv;
let apiUrl: string;
let emitterToken: string;
let auditorToken: string;

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

async function evidence(query: string): Promise<{ items: { content_hash: string; record_type: string; run_id: string }[] }> {
  const res = await fetch(`${apiUrl}/v1/evidence?${query}`, { headers: { authorization: `Bearer ${auditorToken}` } });
  return (await res.json()) as { items: { content_hash: string; record_type: string; run_id: string }[] };
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
  apiUrl = `http://127.0.0.1:${env.PROBITY_API_PORT}`;
  env.PROBITY_API_URL = apiUrl;
  services = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'services/local/src/main.ts')], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  services.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(
    async () => {
      if (services.exitCode !== null) throw new Error(`services exited ${services.exitCode}: ${stderr.slice(-2000)}`);
      return (await fetch(`${apiUrl}/healthz`).catch(() => undefined))?.ok;
    },
    { timeoutMs: 90_000, message: 'the local services to answer /healthz' },
  );
  const created = await Promise.all(['emitter', 'auditor'].map((role) => runCli(['token', 'create', '--tenant', tenant, '--role', role], { env })));
  for (const c of created) expect(c.code, c.stderr).toBe(0);
  [emitterToken, auditorToken] = created.map((c) => (JSON.parse(c.stdout) as { token: string }).token) as [string, string];
});

afterAll(async () => {
  if (services && services.exitCode === null) {
    const exited = new Promise((resolve) => services.once('exit', resolve));
    services.kill('SIGTERM');
    await exited;
  }
  const admin = createKafka({ brokers, clientId: 'gates-cleanup' }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topics.raw, topics.signed, topics.dlq] }).catch(() => undefined);
  await admin.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('promotion gate', () => {
  it('refuses a policy that does not compile and one whose tests fail, with opa\'s message; accepts the shipped one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'probity-rego-'));
    writeFileSync(path.join(dir, 'broken.rego'), 'package gate\nimport rego.v1\ndecision := {"allow": true,\n');
    writeFileSync(path.join(dir, 'strict.rego'), 'package gate\nimport rego.v1\ndecision := {"allow": false, "reasons": ["never"]}\n');
    writeFileSync(path.join(dir, 'gate_test.rego'), 'package gate_test\nimport rego.v1\nimport data.gate\ntest_allows_all if { gate.decision.allow with input as {} }\n');

    const broken = await runCli(['gate', 'policy', 'add', '--tenant', tenant, '--gate', 'promotion', '--file', path.join(dir, 'broken.rego'), '--tests', path.join(dir, 'gate_test.rego')], { env });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.rego:\d+: rego_parse_error/);
    const failing = await runCli(['gate', 'policy', 'add', '--tenant', tenant, '--gate', 'promotion', '--file', path.join(dir, 'strict.rego'), '--tests', path.join(dir, 'gate_test.rego')], { env });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('1 of 1 Rego tests failed');
    expect(failing.stderr).toContain('data.gate_test.test_allows_all: FAIL');
    rmSync(dir, { recursive: true, force: true });
    const none = await runCli(['gate', 'policy', 'list', '--tenant', tenant, '--gate', 'promotion'], { env });
    expect(JSON.parse(none.stdout)).toEqual([]);

    const added = await runCli(['gate', 'policy', 'add', '--tenant', tenant, '--gate', 'promotion', '--principal', 'user:jane'], { env });
    expect(added.code, added.stderr).toBe(0);
    const version = JSON.parse(added.stdout) as { version: number; record: string; tests_passed: number };
    expect(version).toMatchObject({ version: 1, tests_passed: 10 });
    // The PolicyVersion record is notarized like any evidence.
    await waitFor(async () => (await evidence('record_type=PolicyVersion')).items.some((i) => i.content_hash === version.record), { timeoutMs: 60_000, message: 'the PolicyVersion record in the warehouse' });
  });

  it('allows a complete run and denies one with every reason; each decision is a logged PolicyDecision record', async () => {
    const good = runManifests({ tenant, runId: uniqueName('run-good'), modelId: 'credit-risk', auc: 0.91, approvers: [{ principal: 'user:ann', role: 'risk-officer' }, { principal: 'user:bob', role: 'ml-lead' }], consent: 'granted' });
    const badRun = uniqueName('run-bad');
    const bad = [
      ...runManifests({ tenant, runId: badRun, modelId: 'fraud', auc: 0.8, approvers: [{ principal: 'user:ann', role: 'risk-officer' }], consent: null }),
      criticalIncident(tenant, 'fraud'),
    ];
    const emitter = await createEmitter({ name: 'gates-test', dataDir, brokers, topic: topics.raw });
    try {
      for (const { type, value } of [...good, ...bad]) await emitter.emit(type, value, { format: 'json' });
    } finally {
      await emitter.close({ drainTimeoutMs: 10_000 });
    }
    const goodRun = good[0]!.value.run_id as string;
    await waitFor(async () => (await evidence(`run_id=${goodRun}`)).items.length === 3 && (await evidence(`run_id=${badRun}`)).items.length === 3 && (await evidence('record_type=Incident')).items.length === 1, {
      timeoutMs: 90_000, message: 'both runs and the incident in the warehouse',
    });

    const allowed = await runCli(['gate', 'check', '--tenant', tenant, '--run-id', goodRun, '--gate', 'promotion', '--token', emitterToken, '--json'], { env });
    expect(allowed.code, allowed.stderr).toBe(0);
    const allow = JSON.parse(allowed.stdout);
    expect(allow).toMatchObject({ result: 'ALLOW', allow: true, reasons: [], run_id: goodRun, policy: { id: 'promotion', version: 1 }, evidence_records: 3 });

    const denied = await runCli(['gate', 'check', '--tenant', tenant, '--run-id', badRun, '--gate', 'promotion', '--token', emitterToken], { env });
    expect(denied.code, denied.stderr).toBe(1);
    expect(denied.stdout).toMatch(/^DENY promotion of run /);
    for (const reason of [
      'evaluation metric auc = 0.8 is below its threshold 0.85',
      'approvals: 1 distinct approver(s) with a required role',
      'open CRITICAL incident INC-',
      'has no consent flag',
    ]) expect(denied.stdout).toContain(reason);

    // Both decisions reach the log: notarized and queryable, with the input digest and the reasons.
    await waitFor(async () => (await evidence('record_type=PolicyDecision')).items.length === 2, { timeoutMs: 60_000, message: 'two PolicyDecision records' });
    const decision = (await fetch(`${apiUrl}/v1/evidence/${allow.decision.content_hash}`, { headers: { authorization: `Bearer ${auditorToken}` } }).then((r) => r.json())) as { record: unknown };
    expect(decision.record).toMatchObject({ result: 'ALLOW', run_id: goodRun, input_sha256: allow.input_sha256, policy_version: 1, gate: 'PROMOTION' });

    // The gap analysis names the promotion that went ahead without an allowing decision, and only that one.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const gaps = (await fetch(`${apiUrl}/v1/gaps?framework=iso42001&from=${day(-1)}&to=${day(1)}`, { headers: { authorization: `Bearer ${auditorToken}` } }).then((r) => r.json())) as {
      ungated_promotions: { run_id: string; stage: string; finding: string; decisions: string[] }[];
    };
    expect(gaps.ungated_promotions.map((f) => [f.run_id, f.stage, f.finding])).toEqual([[badRun, 'PROMOTION', 'NO_ALLOWING_DECISION']]);
    expect(gaps.ungated_promotions[0]!.decisions).toHaveLength(1);
  });

  it('backtests a candidate policy against the runs promoted in a window and lists the ones it would have denied', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'probity-rego-'));
    writeFileSync(path.join(dir, 'three.rego'), 'package gate\nimport rego.v1\ndecision := {"allow": count(deny) == 0, "reasons": sort([r | some r in deny])}\ndeny contains "fewer than 3 approvals" if count(input.approvals) < 3\n');
    writeFileSync(path.join(dir, 'three_test.rego'), 'package gate_test\nimport rego.v1\nimport data.gate\ntest_two_are_too_few if { not gate.decision.allow with input as {"approvals": [1, 2]} }\n');
    const shipped = path.join(repoRoot, 'packages/policy/policies');
    const window = ['--from', new Date(Date.now() - 3_600_000).toISOString(), '--to', new Date(Date.now() + 60_000).toISOString()];
    try {
      const strict = await runCli(['gate', 'backtest', '--tenant', tenant, '--gate', 'promotion', '--policy', path.join(dir, 'three.rego'), '--tests', path.join(dir, 'three_test.rego'), ...window, '--token', auditorToken, '--json'], { env });
      expect(strict.code, strict.stderr).toBe(0);
      const report = JSON.parse(strict.stdout) as { runs: number; would_allow: number; would_deny: { run_id: string; reasons: string[] }[] };
      expect(report).toMatchObject({ runs: 2, would_allow: 0 });
      expect(report.would_deny.map((d) => d.reasons)).toEqual([['fewer than 3 approvals'], ['fewer than 3 approvals']]);

      const current = await runCli(['gate', 'backtest', '--tenant', tenant, '--gate', 'promotion', '--policy', path.join(shipped, 'promotion.rego'), '--tests', path.join(shipped, 'promotion_test.rego'), ...window, '--token', auditorToken], { env });
      expect(current.code, current.stderr).toBe(0);
      expect(current.stdout).toMatch(/^2 runs passed the promotion stage .*: the candidate would allow 1 and deny 1\n/);
      expect(current.stdout).toMatch(/DENY run-bad-/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an auditor token may not ask the gate, and an unreachable API is exit 2, never an allow', async () => {
    const forbidden = await runCli(['gate', 'check', '--tenant', tenant, '--run-id', 'r', '--gate', 'promotion', '--token', auditorToken], { env });
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toMatch(/no decision: .*emitter or admin token/);
    const down = await runCli(['gate', 'check', '--tenant', tenant, '--run-id', 'r', '--gate', 'promotion', '--token', emitterToken], { env: { ...env, PROBITY_API_URL: `http://127.0.0.1:${await freePort()}` } });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/no decision: the audit API at .* does not answer/);
  });
});
