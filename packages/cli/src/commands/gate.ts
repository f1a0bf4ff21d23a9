import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dataDirLayout, loadCommonConfig } from '@probity/config';
import { auditApiUrl, postJson, resolveToken } from '../api-client.js';
import { CliError, booleanOption, defineCommand, stringOption, type CliIo, type OptionValues } from '../command.js';

/** `probity gate check`'s exit codes: a CI step reads them. */
const EXIT_ALLOW = 0;
const EXIT_DENY = 1;
const EXIT_NO_DECISION = 2;

interface DecisionAnswer {
  result: 'ALLOW' | 'DENY';
  allow: boolean;
  reasons: string[];
  run_id: string;
  policy: { id: string; version: number; wasm_sha256: string };
  input_sha256: string;
  evidence_records: number;
  decision: { decision_id: string; content_hash: string; durable: string };
}

/**
 * `probity gate check|policy`: promotion and deployment gates.
 * check asks the audit API, which reads the evidence, evaluates and logs the
 * decision (the CLI never opens the warehouse: in local mode the services
 * process holds chDB). policy add compiles and tests a Rego policy with the
 * opa CLI here, keeps it in the data dir's registry and logs a PolicyVersion.
 */
export const gate = defineCommand({
  name: 'gate',
  summary: 'Promotion/deployment gates: check a run against the gate\'s policy; add and list policy versions',
  usage: 'check --tenant T --run-id R --gate promotion|deployment [--json] [--token TOKEN] | policy add --tenant T --gate G [--file gate.rego --tests gate_test.rego] | policy list --tenant T --gate G | backtest --tenant T --gate G --policy FILE --tests FILE --from ISO --to ISO [--json]',
  description: [
    'check: exit 0 when the gate allows the run, 1 when it denies it (every reason on stdout), 2 when no decision could be made',
    '(evidence unreadable, no policy, the decision could not be logged, the API unreachable). Every decision is logged as a',
    'PolicyDecision record before the answer. Needs an emitter (or admin) token: --token or PROBITY_TOKEN, else the local operator token.',
    'policy add: runs the Rego tests (opa test) and compiles to WebAssembly (opa build -t wasm -e gate/decision); refuses with',
    'opa\'s message if either fails; otherwise stores it and logs a PolicyVersion record. Without --file, the shipped promotion policy.',
    'backtest: compiles and tests a candidate policy here, then asks the audit API (auditor or admin token) what it would have',
    'answered for every run that passed the gate\'s stage in [--from, --to); lists the runs it would have denied, with reasons.',
  ].join('\n'),
  positionals: true,
  options: {
    tenant: { type: 'string', valueName: 'T', description: 'Tenant.' },
    'run-id': { type: 'string', valueName: 'R', description: 'check: the run to gate.' },
    gate: { type: 'string', valueName: 'G', description: 'promotion or deployment.' },
    json: { type: 'boolean', description: 'check: print the API\'s answer as JSON.' },
    token: { type: 'string', valueName: 'TOKEN', description: 'check: emitter or admin token (default: PROBITY_TOKEN, else the local operator token).' },
    file: { type: 'string', valueName: 'FILE', description: 'policy add: the Rego policy (package gate, rule decision).' },
    tests: { type: 'string', valueName: 'FILE', description: 'policy add: its Rego tests (required with --file).' },
    'policy-id': { type: 'string', valueName: 'ID', description: 'policy add: the policy\'s name (default: the gate).' },
    principal: { type: 'string', valueName: 'KIND:ID', description: 'policy add: who adds it, e.g. user:jane (default: user:$USER).' },
    policy: { type: 'string', valueName: 'FILE', description: 'backtest: the candidate Rego policy (with --tests).' },
    from: { type: 'string', valueName: 'ISO', description: 'backtest: start of the window (inclusive).' },
    to: { type: 'string', valueName: 'ISO', description: 'backtest: end of the window (exclusive; default now).' },
  },
  async run({ values, positionals, io }) {
    const [sub, action, ...extra] = positionals;
    if (sub === 'check') {
      if (action !== undefined || extra.length > 0) throw new CliError('CLI_USAGE', `unexpected arguments: ${[action, ...extra].join(' ')}`);
      return check(values, io);
    }
    if (sub === 'backtest') {
      if (action !== undefined || extra.length > 0) throw new CliError('CLI_USAGE', `unexpected arguments: ${[action, ...extra].join(' ')}`);
      return backtest(values, io);
    }
    if (sub === 'policy' && (action === 'add' || action === 'list') && extra.length === 0) {
      return action === 'add' ? addPolicy(values, io) : listPolicies(values, io);
    }
    throw new CliError('CLI_USAGE', 'expected check, backtest, policy add or policy list');
  },
});

function gateOption(values: OptionValues): 'promotion' | 'deployment' {
  const g = stringOption(values, 'gate');
  if (g !== 'promotion' && g !== 'deployment') throw new CliError('CLI_USAGE', '--gate must be promotion or deployment');
  return g;
}

function required(values: OptionValues, name: string): string {
  const v = stringOption(values, name);
  if (!v) throw new CliError('CLI_USAGE', `--${name} is required`);
  return v;
}

async function check(values: OptionValues, io: CliIo): Promise<number> {
  const gateName = gateOption(values);
  const runId = required(values, 'run-id');
  required(values, 'tenant');
  let answer: DecisionAnswer;
  try {
    const auth = await resolveToken(values, io);
    answer = await postJson<DecisionAnswer>(`${auditApiUrl(io.env)}/v1/gates/${gateName}/check`, auth, { run_id: runId });
  } catch (err) {
    // Fail closed: whatever went wrong, the step gets neither allow nor deny.
    io.stderr(`probity gate: no decision: ${(err as Error).message}\n`);
    return EXIT_NO_DECISION;
  }
  if (answer.result !== 'ALLOW' && answer.result !== 'DENY') {
    io.stderr(`probity gate: no decision: the API answered ${JSON.stringify(answer).slice(0, 200)}\n`);
    return EXIT_NO_DECISION;
  }
  if (booleanOption(values, 'json')) io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
  else {
    io.stdout(`${answer.result} ${gateName} of run ${answer.run_id} (policy ${answer.policy.id} v${answer.policy.version}, ${answer.evidence_records} records, input ${answer.input_sha256.slice(0, 16)}…)\n`);
    for (const reason of answer.reasons) io.stdout(`  - ${reason}\n`);
    io.stdout(`decision ${answer.decision.decision_id} logged as ${answer.decision.content_hash} (${answer.decision.durable})\n`);
  }
  return answer.result === 'ALLOW' ? EXIT_ALLOW : EXIT_DENY;
}

function parsePrincipal(text: string | undefined, env: NodeJS.ProcessEnv): { kind: 'USER' | 'SERVICE'; id: string } {
  const value = text ?? `user:${env.USER ?? 'unknown'}`;
  const m = /^(user|service):(.+)$/i.exec(value);
  if (!m) throw new CliError('CLI_USAGE', '--principal must look like user:jane or service:ci');
  return { kind: m[1]!.toUpperCase() as 'USER' | 'SERVICE', id: value };
}

async function addPolicy(values: OptionValues, io: CliIo): Promise<number> {
  const tenant = required(values, 'tenant');
  const gateName = gateOption(values);
  const principal = parsePrincipal(stringOption(values, 'principal'), io.env);
  const { defaultPolicyFiles } = await import('@probity/policy');
  const file = stringOption(values, 'file');
  const testsFile = stringOption(values, 'tests');
  if (file !== undefined && testsFile === undefined) throw new CliError('CLI_USAGE', '--tests is required with --file: a policy version needs Rego tests that pass');
  let source: string;
  let tests: string;
  let sourceName: string;
  let testsName: string;
  if (file === undefined) {
    const shipped = defaultPolicyFiles();
    ({ source, tests } = shipped);
    sourceName = path.basename(shipped.sourcePath);
    testsName = path.basename(shipped.testsPath);
  } else {
    [source, tests] = await Promise.all([readFile(file, 'utf8'), readFile(testsFile!, 'utf8')]).catch((err: Error) => {
      throw new CliError('CLI_USAGE', `cannot read the policy: ${err.message}`);
    });
    sourceName = path.basename(file);
    testsName = path.basename(testsFile!);
  }

  const added = await registerPolicyVersion({ env: io.env, tenant, gate: gateName, policyId: stringOption(values, 'policy-id') ?? gateName, principal, source, tests, sourceName, testsName });
  io.stdout(`${JSON.stringify(added)}\n`);
  return 0;
}

/**
 * Tests and compiles a policy with opa, keeps it in the data dir's registry and
 * logs its PolicyVersion record; the version enters the registry only once
 * that record is durable. Refusals carry opa's message (PolicyError).
 */
export async function registerPolicyVersion(options: {
  env: NodeJS.ProcessEnv; tenant: string; gate: 'promotion' | 'deployment'; policyId: string; principal: { kind: 'USER' | 'SERVICE'; id: string };
  source: string; tests: string; sourceName: string; testsName: string;
}): Promise<{ tenant: string; gate: string; policy_id: string; version: number; tests_passed: number; source_sha256: string; wasm_sha256: string; record: string; durable: string }> {
  const { env, tenant, gate: gateName, policyId, principal, source, tests, sourceName, testsName } = options;
  const { compilePolicy, PolicyStore } = await import('@probity/policy');
  // Refusals (compile errors, failing tests) carry opa's message; main prints it and exits 1.
  const compiled = await compilePolicy({ source, tests, sourceName, testsName, opaBinary: env.PROBITY_OPA_BIN || undefined });
  const config = loadCommonConfig(env);
  const store = new PolicyStore(dataDirLayout(config.PROBITY_DATA_DIR).gatePoliciesDir);
  const enc = new TextEncoder();
  const [sourceSha, testsSha, wasmSha] = [await store.putBlob(enc.encode(source)), await store.putBlob(enc.encode(tests)), await store.putBlob(compiled.wasm)];
  const version = await store.nextVersion(tenant, gateName);
  const addedAt = new Date();

  const { createEmitter } = await import('@probity/agent');
  const { evidenceTopics } = await import('@probity/kafka');
  const topic = evidenceTopics(config.PROBITY_TOPIC_NAMESPACE).raw;
  const emitter = await createEmitter({ name: 'cli-gates', dataDir: config.PROBITY_DATA_DIR, brokers: config.KAFKA_BROKERS, topic, maxPackBytes: config.PROBITY_EMIT_PACK_BYTES });
  let logged: { contentHash: string; durable: string };
  try {
    logged = await emitter.emit('PolicyVersion', {
      tenant, policy_id: policyId, version, gate: gateName.toUpperCase(), occurred_at: addedAt.getTime() * 1000,
      principal: { ...principal, display_name: null }, source_sha256: sourceSha, tests_sha256: testsSha, wasm_sha256: wasmSha,
      entrypoint: compiled.entrypoint, compiler: compiled.compiler, tests_passed: compiled.testsPassed.length,
      controls: ['iso42001:A.6.2.5', 'euaiact:Art.17'], labels: { source_file: sourceName },
    });
  } finally {
    await emitter.close({ drainTimeoutMs: 10_000 });
  }
  // Only a version whose record is durable enters the registry.
  await store.accept(tenant, {
    policy_id: policyId, gate: gateName, version, source_sha256: sourceSha, tests_sha256: testsSha, wasm_sha256: wasmSha,
    entrypoint: compiled.entrypoint, compiler: compiled.compiler, tests_passed: compiled.testsPassed.length, added_at: addedAt.toISOString(), record_hash: logged.contentHash,
  });
  return { tenant, gate: gateName, policy_id: policyId, version, tests_passed: compiled.testsPassed.length, source_sha256: sourceSha, wasm_sha256: wasmSha, record: logged.contentHash, durable: logged.durable };
}

async function listPolicies(values: OptionValues, io: CliIo): Promise<number> {
  const tenant = required(values, 'tenant');
  const gateName = gateOption(values);
  const { PolicyStore } = await import('@probity/policy');
  const store = new PolicyStore(dataDirLayout(loadCommonConfig(io.env).PROBITY_DATA_DIR).gatePoliciesDir);
  io.stdout(`${JSON.stringify(await store.versions(tenant, gateName), null, 2)}\n`);
  return 0;
}

interface BacktestAnswer {
  runs: number;
  would_allow: number;
  would_deny: { run_id: string; model_id: string | null; model_version: string | null; gated_at: string; reasons: string[] }[];
  elapsed_ms: number;
}

async function backtest(values: OptionValues, io: CliIo): Promise<number> {
  const gateName = gateOption(values);
  required(values, 'tenant');
  const policyFile = required(values, 'policy');
  const testsFile = required(values, 'tests');
  const from = required(values, 'from');
  const to = stringOption(values, 'to') ?? new Date().toISOString();
  for (const [name, v] of [['from', from], ['to', to]] as const) if (!Number.isFinite(Date.parse(v))) throw new CliError('CLI_USAGE', `--${name} expects an ISO-8601 date-time, got ${JSON.stringify(v)}`);
  const [source, tests] = await Promise.all([readFile(policyFile, 'utf8'), readFile(testsFile, 'utf8')]).catch((err: Error) => {
    throw new CliError('CLI_USAGE', `cannot read the policy: ${err.message}`);
  });
  const { compilePolicy } = await import('@probity/policy');
  const compiled = await compilePolicy({ source, tests, sourceName: path.basename(policyFile), testsName: path.basename(testsFile), opaBinary: io.env.PROBITY_OPA_BIN || undefined });
  const auth = await resolveToken(values, io);
  const report = await postJson<BacktestAnswer>(`${auditApiUrl(io.env)}/v1/gates/${gateName}/backtest`, auth, {
    wasm_base64: Buffer.from(compiled.wasm).toString('base64'), from: new Date(from).toISOString(), to: new Date(to).toISOString(),
  });
  if (booleanOption(values, 'json')) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  io.stdout(`${report.runs} runs passed the ${gateName} stage from ${from} to ${to}: the candidate would allow ${report.would_allow} and deny ${report.would_deny.length}\n`);
  for (const d of report.would_deny) {
    io.stdout(`DENY ${d.run_id} (${d.model_id ?? '?'} ${d.model_version ?? ''}, gated ${d.gated_at})\n`);
    for (const reason of d.reasons) io.stdout(`  - ${reason}\n`);
  }
  return 0;
}
