import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { auditApiUrl, getJson, postJson, readLocalAdminToken } from '../api-client.js';
import { CliError, defineCommand } from '../command.js';
import { DEMO_MODELS, DEMO_QUARTER, DEMO_TENANT, inferenceRecords, pipelineManifests } from '../demo/pipeline.js';
import { verify } from './verify.js';

/**
 * The main job end to end, against the running local stack (`probity up`):
 * a demo MLOps pipeline emits evidence, one bad manifest lands in the DLQ,
 * then an auditor queries a quarter and verifies one record offline.
 */
export const demo = defineCommand({
  name: 'demo',
  summary: 'Run a demo MLOps pipeline through the stack and show an audit of it',
  description:
    'Needs the local stack (`probity up`). Emits a release pipeline for three models (ingest … monitoring, with approvals) and inference records as tenant ' +
    `${DEMO_TENANT}, sends one invalid manifest that lands in the DLQ with its reason, waits until everything is notarized and in the warehouse, ` +
    'runs an auditor\'s range query over Q3 2026, and verifies one record offline with `probity verify`. Re-running it is safe: identical evidence deduplicates.',
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
    try {
      for (const model of DEMO_MODELS) {
        const manifests = pipelineManifests(model);
        for (const manifest of manifests) {
          const { contentHash } = await emitter.emit('EvidenceManifest', manifest, { format: 'json' });
          hashes.set(`${model.id}/${manifest.stage as string}`, contentHash);
        }
        const inference = inferenceRecords(model, 200);
        for (const record of inference) emitter.enqueue('InferenceRecord', record, { format: 'json' });
        await emitter.flush();
        step(`${model.id} ${model.version}: ${manifests.length} stage manifests (2 approvals at promotion and deployment) and ${inference.length} inference records emitted`);
      }
    } finally {
      await emitter.close({ drainTimeoutMs: 10_000 });
    }
    const expected = DEMO_MODELS.length * (10 + 200);

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

    step(`waiting until all ${expected} records are notarized and queryable`);
    const created = await postJson<{ token: string }>(`${apiUrl}/v1/admin/tokens`, admin, { tenant: DEMO_TENANT, role: 'auditor', expires_in: '1d' });
    const auditor = { token: created.token };
    const deadline = Date.now() + 120_000;
    let seen = 0;
    while (Date.now() < deadline) {
      seen = await countAll(apiUrl, auditor);
      if (seen >= expected) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (seen < expected) throw new CliError('CLI_FAILED', `only ${seen} of ${expected} records became queryable within 2 minutes; check \`probity doctor\` and ${config.PROBITY_DATA_DIR}/logs/services.log`);

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
    io.stdout(code === 0 ? '\nDemo complete: evidence emitted, notarized, stored, queried and verified.\n' : '\nDemo finished, but verification FAILED.\n');
    return code;
  },
});

async function countAll(baseUrl: string, auth: { token: string }): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await getJson<{ items: unknown[]; next_cursor?: string | null }>(`${baseUrl}/v1/evidence?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, auth);
    count += page.items.length;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return count;
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
