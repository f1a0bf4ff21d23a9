import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { auditApiUrl, getJson, postJson, readLocalAdminToken } from '../api-client.js';
import type { StudyResultJson, StudyRunReturn } from '@probity/scheduler';
import { CliError, defineCommand, type CliIo } from '../command.js';
import { DEMO_MODELS, DEMO_QUARTER, DEMO_TENANT, inferenceRecords, pipelineManifests } from '../demo/pipeline.js';
import { registerPolicyVersion } from './gate.js';
import { DEMO_LIVE, DEMO_REFERENCE, DEMO_STUDIES, liveInference, monitoringManifests, referenceInference } from '../demo/study-data.js';
import { describeStudyResult } from '../demo/study-report.js';
import { verify } from './verify.js';

/**
 * The main job end to end, against the running local stack (`probity up`):
 * a demo MLOps pipeline emits evidence, one bad manifest lands in the DLQ,
 * an auditor queries a quarter and verifies one record offline, then the
 * shipped demo studies run on the traffic and monitoring readings it
 * emitted and the auditor sees their notarized results and coverage.
 */
export const demo = defineCommand({
  name: 'demo',
  summary: 'Run a demo MLOps pipeline through the stack, its drift and calibration studies, and show an audit of it',
  description:
    'Needs the local stack (`probity up`). Emits a release pipeline for three models (ingest … monitoring, with approvals) and inference records as tenant ' +
    `${DEMO_TENANT}, plus credit-risk's inference traffic (a reference month and the last 7 days, with a shift) and hourly p99 latency readings of two monitoring agents and a synthetic probe; ` +
    'sends one invalid manifest that lands in the DLQ with its reason, waits until everything is notarized and in the warehouse, ' +
    'runs an auditor\'s range query over Q3 2026, verifies one record offline with `probity verify`, ' +
    `then runs the demo studies (${Object.values(DEMO_STUDIES).join(', ')}) as \`probity studies run\` does, prints their verdicts and the incidents they raised once notarized, and the coverage of their controls. ` +
    'Re-running it is safe: identical evidence deduplicates; only the traffic and readings of the hours since the last run are new.',
  async run({ io }) {
    const step = (text: string) => io.stderr(`▸ ${text}\n`);
    const { loadCommonConfig } = await import('@probity/config');
    const config = loadCommonConfig(io.env);
    const apiUrl = auditApiUrl(io.env);
    const admin = { token: await readLocalAdminToken(io.env, 'CLI_FAILED', `no admin token in ${config.PROBITY_DATA_DIR}/run: start the local stack with \`probity up\` (it writes one)`) };

    step(`checking the local stack at ${apiUrl}`);
    await getJson(`${apiUrl}/healthz`, admin).catch(() => {
      throw new CliError('CLI_FAILED', `the local stack does not answer at ${apiUrl}; start it with \`probity up\``);
    });

    const { createEmitter } = await import('@probity/agent');
    const { evidenceTopics, createKafka } = await import('@probity/kafka');
    const topics = evidenceTopics(config.PROBITY_TOPIC_NAMESPACE);
    const emitter = await createEmitter({ name: 'demo', dataDir: config.PROBITY_DATA_DIR, brokers: config.KAFKA_BROKERS, topic: topics.raw, maxPackBytes: config.PROBITY_EMIT_PACK_BYTES });
    const hashes = new Map<string, string>();
    // Every record emitted, by content hash: the demo waits until the warehouse has each one.
    const emitted: string[] = [];
    try {
      for (const model of DEMO_MODELS) {
        const manifests = pipelineManifests(model);
        for (const manifest of manifests) {
          const { contentHash } = await emitter.emit('EvidenceManifest', manifest, { format: 'json' });
          emitted.push(contentHash);
          hashes.set(`${model.id}/${manifest.stage as string}`, contentHash);
        }
        const inference = inferenceRecords(model, 200);
        for (const record of inference) emitted.push(emitter.enqueue('InferenceRecord', record, { format: 'json' }).contentHash);
        await emitter.flush();
        step(`${model.id} ${model.version}: ${manifests.length} stage manifests (2 approvals at promotion and deployment) and ${inference.length} inference records emitted`);
      }
      const now = Date.now();
      const reference = referenceInference();
      const live = liveInference(now);
      const monitoring = monitoringManifests(now);
      for (const record of [...reference, ...live]) emitted.push(emitter.enqueue('InferenceRecord', record, { format: 'json' }).contentHash);
      for (const manifest of monitoring) emitted.push(emitter.enqueue('EvidenceManifest', manifest, { format: 'json' }).contentHash);
      await emitter.flush();
      step(
        `credit-risk traffic for the drift study: ${reference.length} inference records of ${DEMO_REFERENCE.modelVersion} (its reference month, January 2025) and ` +
          `${live.length} of ${DEMO_LIVE.modelVersion} (the ${DEMO_LIVE.days} days before today and today up to now); ` +
          `for the calibration studies: ${monitoring.length} MONITORING manifests (hourly p99 latency from synthetic-probe, apm-agent and otel-collector)`,
      );
    } finally {
      await emitter.close({ drainTimeoutMs: 10_000 });
    }

    step('a pipeline with a bad control id: the SDK refuses it locally…');
    const bad = { ...pipelineManifests(DEMO_MODELS[0]!)[0]!, manifest_id: '00000000-0000-4000-8000-000000000bad', controls: ['ISO 42001 A.6'] };
    const { defaultRegistry, frameSingleObject } = await import('@probity/schema');
    const registry = defaultRegistry();
    const refused = registry.fromJson('EvidenceManifest', bad);
    io.stderr(`    refused: ${refused.ok ? 'no (unexpected)' : refused.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}\n`);
    step('…so a foreign emitter writes it to Kafka anyway; the notary must send it to the DLQ with its bytes and reason');
    // Encode with the schema alone (the Avro is valid); only Probity's semantic rules reject it.
    const shape = registry.fromJson<Record<string, unknown>>('EvidenceManifest', { ...bad, controls: [] });
    if (!shape.ok) throw new CliError('CLI_FAILED', `demo fixture is broken: ${JSON.stringify(shape.issues)}`);
    const writer = registry.current('EvidenceManifest');
    const badBytes = frameSingleObject(writer.fingerprint, writer.type.toBuffer({ ...shape.value, controls: bad.controls }));
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'probity-demo' });
    const producer = kafka.producer();
    await producer.connect();
    const badKey = `demo-invalid-${Date.now()}`;
    await producer.send({ topic: topics.raw, acks: -1, messages: [{ key: badKey, value: badBytes }] });
    await producer.disconnect();
    const reason = await waitForDlq(kafka, topics.dlq, badKey);
    io.stderr(`    DLQ: reason ${reason.reason} — ${reason.detail}\n`);
    io.stderr(`    (\`probity dlq list --tenant ${DEMO_TENANT}\` lists it, \`probity dlq show <id>\` shows it decoded, \`probity dlq replay <id>\` sends it again once fixed)\n`);

    const created = await postJson<{ token: string }>(`${apiUrl}/v1/admin/tokens`, admin, { tenant: DEMO_TENANT, role: 'auditor', expires_in: '1d' });
    const auditor = { token: created.token };
    step(`waiting until all ${emitted.length} records are notarized and queryable`);
    await waitUntilQueryable(apiUrl, auditor, emitted, 180_000, config.PROBITY_DATA_DIR);

    step(`auditor (read-only token for ${DEMO_TENANT}): every record of model credit-risk in Q3 2026`);
    const page = await getJson<{ items: Record<string, unknown>[] }>(`${apiUrl}/v1/evidence?model_id=credit-risk&from=${DEMO_QUARTER.from}&to=${DEMO_QUARTER.to}T23:59:59Z&order=asc&limit=50`, auditor);
    const rows = page.items.filter((item) => item.record_type === 'EvidenceManifest');
    io.stdout(`\n${'occurred_at'.padEnd(30)}${'stage'.padEnd(12)}${'run_id'.padEnd(28)}content_hash\n`);
    for (const item of rows) io.stdout(`${String(item.occurred_at).padEnd(30)}${String(item.stage).padEnd(12)}${String(item.run_id).padEnd(28)}${String(item.content_hash).slice(0, 16)}…\n`);
    const coverage = await getJson<{ covered: number; gaps: string[]; universe: { size: number } }>(`${apiUrl}/v1/coverage?from=${DEMO_QUARTER.from}&to=${DEMO_QUARTER.to}T23:59:59Z`, auditor);
    io.stdout(`\ncoverage Q3 2026: ${coverage.covered} of ${coverage.universe.size} catalog controls have evidence; ${coverage.gaps.length} gaps (e.g. ${coverage.gaps.slice(0, 3).join(', ')})\n`);

    const trainingHash = hashes.get('credit-risk/TRAINING')!;
    step(`fetching the credit-risk TRAINING record ${trainingHash.slice(0, 16)}… with its proof, and verifying it offline`);
    const evidence = await getJson<unknown>(`${apiUrl}/v1/evidence/${trainingHash}`, auditor);
    const outDir = path.join(config.PROBITY_DATA_DIR, 'demo');
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `evidence-${trainingHash}.json`);
    writeFileSync(file, `${JSON.stringify(evidence, null, 2)}\n`);
    io.stdout(`\n$ probity verify ${path.relative(process.cwd(), file)}\n`);
    const code = await verify.run({ values: {}, positionals: [file], io });

    const gate = await runDemoGates(io, apiUrl, admin, step);
    await runDemoStudies(io, apiUrl, auditor, step);
    if (gate) {
      step('credit-risk\'s promotion through the gate again, now that its drift study is CRITICAL and raised an incident');
      await gate(`${DEMO_MODELS[0]!.id}-release-${DEMO_MODELS[0]!.version}`);
    }
    const audited = await runDemoAudit(io, apiUrl, auditor, outDir, config.PROBITY_DATA_DIR, step);
    const ok = code === 0 && audited === 0;
    io.stdout(ok ? '\nDemo complete: evidence emitted, notarized, stored, queried and verified; studies run, their results notarized; coverage, gaps and a signed audit package verified offline.\n' : '\nDemo finished, but verification FAILED.\n');
    return ok ? 0 : 1;
  },
});

/**
 * Waits until every emitted record is in the warehouse: one CSV export of all
 * the tenant's evidence per poll (a line per record, the content hash first,
 * no row cap), far lighter than paging through full evidence documents.
 */
interface EvidenceDocumentView {
  shard: number;
  leaf_index: number;
  record: Record<string, unknown>;
}

/**
 * The auditor's view of the quarter: ISO 9001 coverage as of now (the controls
 * with evidence or findings), the open gaps, and the signed audit package,
 * built and verified offline as `probity audit package` and `audit verify` do.
 */
async function runDemoAudit(io: CliIo, apiUrl: string, auditor: { token: string }, outDir: string, dataDir: string, step: (text: string) => void): Promise<number> {
  const now = new Date();
  const quarter = Math.floor(now.getUTCMonth() / 3);
  const from = new Date(Date.UTC(now.getUTCFullYear(), quarter * 3, 1)).toISOString().slice(0, 10);
  const to = new Date(Date.UTC(now.getUTCFullYear(), quarter * 3 + 3, 0)).toISOString().slice(0, 10);
  const query = `framework=iso9001&from=${from}&to=${to}`;
  step(`ISO 9001 coverage of this quarter as the log knows it now (\`probity coverage --framework iso9001 --from ${from} --to ${to}\`)`);
  const matrix = await getJson<{ periods: { label: string }[]; rows: { control: string; title?: string; cells: { state: string; records: number; reason: string }[] }[]; totals: Record<string, Record<string, number>> }>(`${apiUrl}/v1/coverage/matrix?${query}`, auditor);
  const label = matrix.periods.at(-1)!.label;
  for (const row of matrix.rows) {
    const cell = row.cells.at(-1)!;
    if (cell.state !== 'missing') io.stdout(`    ${row.control.padEnd(18)} ${cell.state.toUpperCase().padEnd(14)} ${String(cell.records).padStart(5)} record(s)  ${cell.reason}\n`);
  }
  const totals = matrix.totals[label]!;
  io.stdout(`    ${label}: ${totals.covered} covered, ${totals.nonconforming} nonconforming, ${totals.stale} stale, ${totals.missing} missing of ${matrix.rows.length} controls\n`);
  const gaps = await getJson<{ open: number; gaps: unknown[] }>(`${apiUrl}/v1/gaps?${query}`, auditor);
  io.stdout(`    gaps: ${gaps.open} open, each with a POA&M item (\`probity gaps --framework iso9001 --from ${from} --to ${to}\`)\n`);

  const file = path.join(outDir, `audit-iso9001-${label}.tar.gz`);
  step(`the signed audit package of this quarter, then verified offline with the notary's public keyring only`);
  const { audit } = await import('./audit.js');
  const built = await audit.run({ values: { framework: 'iso9001', from, to, output: file, token: auditor.token }, positionals: ['package'], io });
  if (built !== 0) return built;
  const keyring = path.join(dataDir, 'keys', 'notary', 'keyring.json');
  io.stdout(`\n$ probity audit verify ${path.relative(process.cwd(), file)} --keyring ${path.relative(process.cwd(), keyring)}\n`);
  return audit.run({ values: { keyring }, positionals: ['verify', file], io });
}

/**
 * Registers the shipped promotion policy for the demo tenant (once) and runs
 * each model's promotion through the gate, as a CI step would with
 * `probity gate check`: two are allowed, the one whose data has no consent
 * flag is denied with its reasons. Each decision is a logged record.
 */
async function runDemoGates(io: CliIo, apiUrl: string, admin: { token: string }, step: (text: string) => void): Promise<((runId: string) => Promise<void>) | undefined> {
  const { defaultOpaBinary, defaultPolicyFiles, PolicyStore } = await import('@probity/policy');
  const { dataDirLayout, loadCommonConfig } = await import('@probity/config');
  const opa = defaultOpaBinary(io.env);
  if (!existsSync(opa)) {
    step(`promotion gate: skipped, no opa CLI at ${opa} (bash infra/interop/install-opa.sh installs it)`);
    return undefined;
  }
  const store = new PolicyStore(dataDirLayout(loadCommonConfig(io.env).PROBITY_DATA_DIR).gatePoliciesDir);
  const current = await store.latest(DEMO_TENANT, 'promotion');
  if (current) step(`promotion gate: policy ${current.policy_id} v${current.version} is registered for ${DEMO_TENANT}`);
  else {
    const files = defaultPolicyFiles();
    const added = await registerPolicyVersion({
      env: io.env, tenant: DEMO_TENANT, gate: 'promotion', policyId: 'promotion', principal: { kind: 'USER', id: 'user:compliance@demo-bank.example' },
      source: files.source, tests: files.tests, sourceName: path.basename(files.sourcePath), testsName: path.basename(files.testsPath),
    });
    step(`promotion gate: the shipped policy passed its ${added.tests_passed} Rego tests, compiled to wasm, registered as v${added.version} (PolicyVersion ${added.record.slice(0, 16)}…)`);
  }
  const ci = await postJson<{ token: string }>(`${apiUrl}/v1/admin/tokens`, admin, { tenant: DEMO_TENANT, role: 'emitter', expires_in: '1d' });
  const check = async (runId: string) => {
    const answer = await postJson<{ result: string; reasons: string[]; decision: { content_hash: string } }>(`${apiUrl}/v1/gates/promotion/check`, { token: ci.token }, { run_id: runId });
    io.stdout(`\n$ probity gate check --tenant ${DEMO_TENANT} --run-id ${runId} --gate promotion\n${answer.result} promotion of run ${runId} (decision ${answer.decision.content_hash.slice(0, 16)}…)\n`);
    for (const reason of answer.reasons) io.stdout(`  - ${reason}\n`);
  };
  for (const model of DEMO_MODELS) await check(`${model.id}-release-${model.version}`);
  return check;
}

/**
 * Runs the shipped demo studies now, as `probity studies run` does (the
 * scheduler worker reads the warehouse and emits each StudyResult and the
 * Incidents it raises), prints their verdicts, waits until those records are
 * notarized and queryable, and shows the coverage of the studies' controls.
 */
async function runDemoStudies(io: CliIo, apiUrl: string, auditor: { token: string }, step: (text: string) => void): Promise<void> {
  const { loadSchedulerConfig, loadStudies } = await import('@probity/scheduler');
  const { openStudyQueue } = await import('../study-runs.js');
  const config = loadSchedulerConfig(io.env);
  const definitions = await loadStudies(config.PROBITY_STUDIES_DIR);
  const studies = Object.values(DEMO_STUDIES).map((id) => {
    const study = definitions.find((d) => d.id === id);
    if (!study) throw new CliError('CLI_FAILED', `the demo study ${id} is not in ${config.PROBITY_STUDIES_DIR}`);
    return study;
  });
  const due = Math.floor(Date.now() / 1000) * 1000;
  step(`running the demo studies for due time ${new Date(due).toISOString()}, as \`probity studies run <id>\` does; the scheduler emits each result, and the incidents it raises, as evidence`);
  const queue = await openStudyQueue(config);
  let runs: StudyRunReturn[];
  try {
    runs = await Promise.all(studies.map((study) => queue.run(study, due, 180_000)));
  } catch (err) {
    if (/is not defined in this process/.test((err as Error).message)) {
      throw new CliError('CLI_FAILED', `${(err as Error).message}: the running scheduler loaded its study definitions before this one was added; restart the services (\`probity down\`, then \`probity up\`) and run the demo again`);
    }
    throw err;
  } finally {
    await queue.close();
  }
  // The worker returns the StudyResult it published, in its JSON form.
  const results = new Map(runs.map((run) => [run, run.result as StudyResultJson]));
  io.stdout('\n');
  for (const run of runs) io.stdout(`${describeStudyResult(results.get(run)!).join('\n')}\n`);

  const hashes = runs.flatMap((run) => [run.contentHash, ...run.incidentHashes]);
  step(`waiting until the ${runs.length} study results and ${hashes.length - runs.length} incidents they raised are notarized and queryable`);
  const documents = await waitForDocuments(apiUrl, auditor, hashes, 120_000);
  for (const run of runs) {
    const result = documents.get(run.contentHash)!;
    io.stdout(`\n${run.studyId}: StudyResult ${run.contentHash.slice(0, 16)}… notarized (shard ${result.shard}, leaf ${result.leaf_index})\n`);
    for (const hash of run.incidentHashes) {
      const incident = documents.get(hash)!;
      io.stdout(`    → Incident ${String(incident.record.severity)} "${String(incident.record.title)}" ${hash.slice(0, 16)}… (shard ${incident.shard}, leaf ${incident.leaf_index})\n`);
    }
  }

  const from = new Date(Math.min(...[...results.values()].map((result) => Date.parse(result.current_window.from)))).toISOString();
  const to = new Date(due + 1000).toISOString();
  const controls = [...new Set([...[...results.values()].flatMap((result) => result.controls), ...[...documents.values()].flatMap((d) => (d.record.controls as string[] | undefined) ?? [])])].sort();
  const coverage = await getJson<{ controls: { control: string; title?: string; records: number }[] }>(`${apiUrl}/v1/coverage?from=${from}&to=${to}`, auditor);
  io.stdout(`\ncoverage ${from.slice(0, 16)} → ${to.slice(0, 16)} UTC, the controls the studies and incidents evidence:\n`);
  for (const control of controls) {
    const row = coverage.controls.find((c) => c.control === control);
    const records = row?.records ?? 0;
    io.stdout(`    ${control.padEnd(20)}${String(records).padStart(7)} ${records === 1 ? 'record ' : 'records'}${row?.title ? `  ${row.title}` : ''}\n`);
  }
}

/** Polls GET /v1/evidence/{hash} until every hash answers, and returns the documents. */
async function waitForDocuments(baseUrl: string, auth: { token: string }, hashes: readonly string[], timeoutMs: number): Promise<Map<string, EvidenceDocumentView>> {
  const found = new Map<string, EvidenceDocumentView>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const hash of hashes) {
      if (found.has(hash)) continue;
      const res = await fetch(`${baseUrl}/v1/evidence/${hash}`, { headers: { authorization: `Bearer ${auth.token}` }, signal: AbortSignal.timeout(30_000) });
      if (res.ok) found.set(hash, (await res.json()) as EvidenceDocumentView);
      else await res.body?.cancel();
    }
    if (found.size === hashes.length) return found;
    if (Date.now() > deadline) throw new CliError('CLI_FAILED', `only ${found.size} of ${hashes.length} study results and incidents became queryable within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function waitUntilQueryable(baseUrl: string, auth: { token: string }, expected: readonly string[], timeoutMs: number, dataDir: string): Promise<void> {
  const missing = new Set(expected);
  const deadline = Date.now() + timeoutMs;
  while (missing.size > 0) {
    const res = await fetch(`${baseUrl}/v1/evidence?format=csv`, { headers: { authorization: `Bearer ${auth.token}` }, signal: AbortSignal.timeout(60_000) }).catch((err: Error) => {
      throw new CliError('CLI_FAILED', `the audit API at ${baseUrl} does not answer (${err.message})`);
    });
    if (!res.ok) throw new CliError('CLI_FAILED', `the audit API answered ${res.status} to a CSV export`);
    for (const line of (await res.text()).split('\n')) missing.delete(line.slice(0, 64));
    if (missing.size === 0) return;
    if (Date.now() > deadline) {
      throw new CliError('CLI_FAILED', `only ${expected.length - missing.size} of ${expected.length} records became queryable within ${Math.round(timeoutMs / 1000)} s; check \`probity doctor\` and ${dataDir}/logs/services.log`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function waitForDlq(kafka: import('@probity/kafka').Kafka, topic: string, key: string): Promise<{ reason: string; detail: string }> {
  const { HEADER, headerString } = await import('@probity/kafka');
  const consumer = kafka.consumer({ groupId: `probity-demo-dlq-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CliError('CLI_FAILED', `the invalid manifest did not reach ${topic} within 60 s; is the notary running? (probity doctor)`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== key) return;
          clearTimeout(timer);
          resolve({ reason: headerString(message.headers, HEADER.dlqReason) ?? '?', detail: headerString(message.headers, HEADER.dlqDetail) ?? '' });
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}
