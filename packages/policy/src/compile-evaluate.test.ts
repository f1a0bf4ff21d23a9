import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyFiles } from './default-policy.js';
import { GatePolicy } from './evaluate.js';
import { compilePolicy, defaultOpaBinary } from './opa-cli.js';
import { PolicyStore } from './policy-store.js';

// The opa CLI is a local binary (bash infra/install.sh builds it), not a server.
const opa = defaultOpaBinary();
if (!existsSync(opa)) throw new Error(`${opa} is missing: run bash infra/interop/install-opa.sh`);

const good = {
  schema: 'probity.gate-input.v1', tenant: 'acme', gate: 'promotion', run_id: 'r1', model: { id: 'm', version: '1' },
  stages: ['EVALUATION', 'PROMOTION'],
  evaluations: [{ content_hash: 'e', dataset_split: 'test', metrics: { auc: 0.9 }, thresholds: { auc: 0.85 }, passed_thresholds: true }],
  approvals: [
    { stage: 'PROMOTION', role: 'risk-officer', principal: 'user:ann', decision: 'APPROVED', at: 't', emitter_signed: true, content_hash: 'p' },
    { stage: 'PROMOTION', role: 'ml-lead', principal: 'user:bob', decision: 'APPROVED', at: 't', emitter_signed: true, content_hash: 'p' },
  ],
  signatures: { records: 2, emitter_signed: 2 },
  datasets: [{ id: 'loans', sha256: 'd', uri: 'u', consent: true }],
  drift: null, calibration: null, open_incidents: [], evidence: ['e', 'p'],
};

describe('the shipped promotion policy, compiled to wasm and evaluated in Node', () => {
  let policy: GatePolicy;
  beforeAll(async () => {
    const files = defaultPolicyFiles();
    const compiled = await compilePolicy({ source: files.source, tests: files.tests, sourceName: 'promotion.rego', testsName: 'promotion_test.rego' });
    expect(compiled.testsPassed.length).toBeGreaterThanOrEqual(10);
    expect(compiled.compiler).toBe('opa v1.22.4');
    policy = await GatePolicy.load(compiled.wasm);
  }, 60_000);

  it('allows a complete run and denies an incomplete one with every reason', () => {
    expect(policy.evaluate(good)).toEqual({ allow: true, reasons: [] });
    const bad = { ...good, approvals: [good.approvals[0]], open_incidents: [{ incident_id: 'INC-9', severity: 'CRITICAL', status: 'OPEN', serious: true, occurred_at: 't', content_hash: 'i' }] };
    const verdict = policy.evaluate(bad);
    expect(verdict.allow).toBe(false);
    expect(verdict.reasons).toHaveLength(2);
    expect(verdict.reasons).toContain('open CRITICAL incident INC-9');
    expect(verdict.reasons.some((r) => r.startsWith('approvals: 1 distinct approver'))).toBe(true);
  });
});

describe('compilePolicy refuses', () => {
  const tests = 'package gate_test\nimport rego.v1\nimport data.gate\ntest_allows if { gate.decision.allow with input as {} }\n';

  it('a policy that does not compile, with the compiler\'s message', async () => {
    const err = await compilePolicy({ source: 'package gate\ndecision := {"allow": true,\n', tests, sourceName: 'gate.rego' }).catch((e) => e);
    expect(err.code).toBe('POLICY_COMPILE_FAILED');
    expect(err.message).toMatch(/gate\.rego:\d+: rego_parse_error/);
  });

  it('a policy whose tests fail, naming the failed tests', async () => {
    const err = await compilePolicy({ source: 'package gate\nimport rego.v1\ndecision := {"allow": false, "reasons": ["no"]}\n', tests }).catch((e) => e);
    expect(err.code).toBe('POLICY_TESTS_FAILED');
    expect(err.message).toContain('1 of 1 Rego tests failed');
    expect(err.message).toContain('data.gate_test.test_allows: FAIL');
  });

  it('a policy without tests', async () => {
    const err = await compilePolicy({ source: 'package gate\nimport rego.v1\ndecision := {"allow": true, "reasons": []}\n', tests: 'package gate_test\n' }).catch((e) => e);
    expect(err.code).toBe('POLICY_TESTS_FAILED');
    expect(err.message).toMatch(/holds no Rego test/);
  });

  it('when opa is not installed', async () => {
    const err = await compilePolicy({ source: 'package gate', tests, opaBinary: '/nonexistent/opa' }).catch((e) => e);
    expect(err.code).toBe('OPA_UNAVAILABLE');
  });
});

describe('GatePolicy fails closed', () => {
  it('on an answer that is not {allow, reasons}, and gives a reasonless deny a reason', async () => {
    const wrongShape = await compilePolicy({ source: 'package gate\nimport rego.v1\ndecision := true\n', tests: 'package gate_test\nimport rego.v1\nimport data.gate\ntest_t if { gate.decision }\n' });
    const p = await GatePolicy.load(wrongShape.wasm);
    expect(() => p.evaluate(good)).toThrow(expect.objectContaining({ code: 'POLICY_EVALUATION_FAILED' }));

    const undefinedFor = await compilePolicy({ source: 'package gate\nimport rego.v1\ndecision := {"allow": true, "reasons": []} if input.ok\n', tests: 'package gate_test\nimport rego.v1\nimport data.gate\ntest_t if { gate.decision with input as {"ok": true} }\n' });
    const q = await GatePolicy.load(undefinedFor.wasm);
    expect(() => q.evaluate({ ok: false })).toThrow(expect.objectContaining({ code: 'POLICY_EVALUATION_FAILED' }));

    const silentDeny = await compilePolicy({ source: 'package gate\nimport rego.v1\ndecision := {"allow": false, "reasons": []}\n', tests: 'package gate_test\nimport rego.v1\nimport data.gate\ntest_t if { not gate.decision.allow }\n' });
    expect((await GatePolicy.load(silentDeny.wasm)).evaluate({})).toEqual({ allow: false, reasons: ['the policy denied without giving a reason'] });
  }, 60_000);

  it('on bytes that are not WebAssembly', async () => {
    await expect(GatePolicy.load(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'POLICY_EVALUATION_FAILED' });
  });
});

describe('PolicyStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'policy-store-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps blobs under their hash and refuses one whose bytes changed', async () => {
    const store = new PolicyStore(dir);
    const hash = await store.putBlob(new TextEncoder().encode('wasm bytes'));
    expect(await store.putBlob(new TextEncoder().encode('wasm bytes'))).toBe(hash);
    expect(new TextDecoder().decode(await store.getBlob(hash))).toBe('wasm bytes');
    await writeFile(path.join(dir, 'blobs', hash.slice(0, 2), hash), 'tampered');
    await expect(store.getBlob(hash)).rejects.toMatchObject({ code: 'POLICY_STORE_CORRUPT' });
  });

  it('numbers versions per tenant and gate and refuses a version twice', async () => {
    const store = new PolicyStore(dir);
    expect(await store.nextVersion('acme', 'promotion')).toBe(1);
    const entry = { policy_id: 'promotion', gate: 'promotion' as const, version: 1, source_sha256: 'a', tests_sha256: 'b', wasm_sha256: 'c', entrypoint: 'gate/decision', compiler: 'opa', tests_passed: 1, added_at: 't', record_hash: 'r' };
    await store.accept('acme', entry);
    expect(await store.nextVersion('acme', 'promotion')).toBe(2);
    expect(await store.nextVersion('other', 'promotion')).toBe(1);
    await expect(store.accept('acme', entry)).rejects.toMatchObject({ code: 'POLICY_STORE_CORRUPT' });
    expect((await store.latest('acme', 'promotion'))?.version).toBe(1);
  });
});
