/**
 * Audit package build and offline verification (`npx tsx bench/audit-package/run.ts [--records N ...]`).
 *
 * For each N (default 100 and 10,000): N real notarized records of one
 * tenant in one quarter (EvidenceManifest records encoded with the schema
 * registry, statements, per-shard Merkle logs on 4 shards, one signed
 * checkpoint per batch of 1,000) stored in embedded chDB as the sink stores
 * them; then POST /v1/audit-packages through the audit API
 * builds the package (in a process of its own, over HTTP into a file), and
 * `probity audit verify` checks it in another. Prints build and verify wall
 * time, records/s, package size, and the peak RSS of each process.
 * Prints figures; never fails on them.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { proveRecord, leafHash, sha256Hex, signCheckpoint, toBase64, toHex, treeHash } from '@probity/crypto';
import { decodeStatement, deriveEvidenceSummary, encodeStatement, SIGNED_RECORD_FORMAT, type SignedRecord } from '@probity/evidence';
import { NotaryKeyStore, publicKeyringPath } from '@probity/keystore';
import { defaultRegistry } from '@probity/schema';
import { TABLES, buildEvidenceRow, openWarehouse, runMigrations, EVIDENCE_INSERT_COLUMNS } from '@probity/warehouse';
import { StoredHashes, TransparencyLog, buildAuditApp, createToken } from '@probity/audit-api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { records: { type: 'string', multiple: true }, build: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
const SIZES = (values.records ?? ['100', '10000']).map(Number);
const SHARDS = 4;
const BATCH = 1000;
const STAGES = ['INGEST', 'PREPROCESS', 'FEATURES', 'TRAINING', 'EVALUATION', 'REGISTRY', 'PROMOTION', 'DEPLOYMENT', 'MONITORING'];
const example = JSON.parse(readFileSync(path.join(root, 'schemas/examples/EvidenceManifest.training.json'), 'utf8')) as Record<string, unknown>;
const registry = defaultRegistry();
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const mib = (bytes: number) => `${fmt(bytes / 1_048_576)} MiB`;

async function run(records: number): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'probity-bench-package-'));
  try {
    const warehouse = await openWarehouse({ database: 'bench_package', dataDir: path.join(dataDir, 'chdb') });
    await runMigrations(warehouse, { database: 'bench_package' });
    const keysDir = path.join(dataDir, 'keys');
    const keys = new NotaryKeyStore(keysDir).openOrCreate(new Date('2020-01-01T00:00:00Z'));
    const logs = Array.from({ length: SHARDS }, () => new StoredHashes());
    const tenant = 'bench-acme';
    // The quarter before now, records spread over it, notarized a minute after they occurred.
    const now = Date.now();
    const d = new Date(now);
    const qStart = Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3 - 3, 1);
    const qEnd = Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
    const fingerprint = registry.current('EvidenceManifest').fingerprintHex;
    const t0 = performance.now();
    for (let start = 0; start < records; start += BATCH) {
      const n = Math.min(BATCH, records - start);
      const shard = (start / BATCH) % SHARDS;
      const log = logs[shard]!;
      const occurredAt = qStart + Math.floor(((start + n / 2) / records) * (qEnd - qStart));
      const notarizedAt = new Date(occurredAt + 60_000);
      const made = Array.from({ length: n }, (_, i) => {
        const json = { ...example, tenant, manifest_id: randomUUID(), run_id: `run-${start + i}`, model_id: `model-${(start + i) % 5}`, stage: STAGES[(start + i) % STAGES.length], occurred_at: new Date(occurredAt + i).toISOString(), controls: [] };
        const parsed = registry.fromJson('EvidenceManifest', json);
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
        const bytes = registry.encode('EvidenceManifest', parsed.value);
        const contentHash = sha256Hex(bytes);
        const index = log.size + i;
        const statement = encodeStatement({ v: 1, tenant, content_hash: contentHash, record_type: 'EvidenceManifest', schema_fingerprint: fingerprint, log: `probity.bench/log/shard/${shard}`, shard, index, notarized_at: notarizedAt.toISOString(), emitter_key_ids: [], emitter_signatures_sha256: null });
        return { bytes, contentHash, index, statement, value: parsed.value };
      });
      log.append(Buffer.concat(made.map((m) => Buffer.from(leafHash(m.statement)))), n);
      const rootHash = treeHash(log.size, log.read);
      const checkpoint = signCheckpoint({ origin: `probity.bench/log/shard/${shard}`, size: log.size, rootHash }, keys.signingKeyAt(notarizedAt));
      const rows = made.map((m) => {
        const bundle: Omit<SignedRecord, 'record'> = {
          format: SIGNED_RECORD_FORMAT, tenant, content_hash: m.contentHash, record_type: 'EvidenceManifest', schema_fingerprint: fingerprint, shard, leaf_index: m.index,
          statement: m.statement.toString('base64'), emitter_envelope: null, notary_envelope: null, checkpoint, inclusion_proof: proveRecord(log.size, m.index, log.read).map((h) => toBase64(h)),
        };
        const summary = deriveEvidenceSummary({ recordType: 'EvidenceManifest', value: m.value as Record<string, unknown> }, decodeStatement(m.statement));
        return buildEvidenceRow({
          tenant, contentHash: m.contentHash, recordType: 'EvidenceManifest', schemaFingerprint: fingerprint, modelId: summary.model_id, modelVersion: summary.model_version, stage: summary.stage,
          runId: summary.run_id, manifestId: summary.manifest_id, occurredAt: new Date(Date.parse(summary.occurred_at)), notarizedAt, principal: summary.principal, controls: summary.controls,
          shard, leafIndex: m.index, record: m.bytes, recordJson: JSON.stringify(registry.toJson('EvidenceManifest', m.value)), envelopeJson: JSON.stringify(bundle), ingestPartition: shard, ingestOffset: m.index,
        });
      });
      await warehouse.insert(TABLES.evidence, rows as unknown as Record<string, unknown>[], { columns: EVIDENCE_INSERT_COLUMNS });
      await warehouse.insert(TABLES.checkpoints, [{ shard, size: log.size, root_hash_hex: toHex(rootHash), signed_note: checkpoint, created_at: notarizedAt.toISOString() }]);
    }
    console.log(`\n${fmt(records, 0)} records of one tenant in one quarter, ${SHARDS} shards: generated and stored in ${fmt((performance.now() - t0) / 1000)} s`);
    await warehouse.close();

    // The build in a process of its own (chDB, the audit API, the package written to a file), so its peak RSS is the build's.
    const file = path.join(dataDir, 'package.tar.gz');
    const build = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--build', dataDir, '--from', String(qStart), '--to', String(qEnd)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}`);
    const built = JSON.parse(build.stdout.trim().split('\n').pop()!) as { seconds: number; bytes: number; maxRssKb: number; baseRssKb: number };
    console.log(`  build (POST /v1/audit-packages in a process of its own, chDB embedded): ${fmt(built.seconds, 3)} s, ${fmt(records / built.seconds, 0)} records/s, package ${mib(built.bytes)} (${fmt(built.bytes / records, 0)} B/record gzip), peak RSS ${mib(built.maxRssKb * 1024)} (${mib(built.baseRssKb * 1024)} before the build: warehouse open, app built)`);

    const v = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, path.join(root, 'bin/probity.mjs'), 'audit', 'verify', file, '--keyring', publicKeyringPath(keysDir)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const [elapsed, maxKb] = v.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    const verdict = v.stdout.trim().split('\n').pop();
    console.log(`  verify (probity audit verify in a child process, node start included): ${fmt(elapsed!, 2)} s, ${fmt(records / elapsed!, 0)} records/s, peak RSS ${mib(maxKb! * 1024)}: ${verdict} (exit ${v.status})`);
  } finally {
    if (process.env.BENCH_KEEP) console.log(`  kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `--build DIR`: open the warehouse a run left in DIR, build the package through the API into DIR/package.tar.gz, print figures as JSON. */
async function buildOnly(dataDir: string, qStart: number, qEnd: number): Promise<void> {
  const warehouse = await openWarehouse({ database: 'bench_package', dataDir: path.join(dataDir, 'chdb') });
  const app = await buildAuditApp({ warehouse, notaryKeysDir: path.join(dataDir, 'keys'), transparencyLog: new TransparencyLog(warehouse, 0) });
  const token = (await createToken(warehouse, { tenant: 'bench-acme', role: 'auditor' })).token;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const baseRssKb = process.resourceUsage().maxRSS;
  const body = { framework: 'iso42001', from: new Date(qStart).toISOString().slice(0, 10), to: new Date(qEnd - 86_400_000).toISOString().slice(0, 10), granularity: 'month' };
  const t0 = performance.now();
  // Over HTTP and straight to a file, as the CLI does: the answer is never held whole.
  const res = await fetch(`http://127.0.0.1:${port}/v1/audit-packages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok || !res.body) throw new Error(`build answered ${res.status}: ${await res.text()}`);
  const file = path.join(dataDir, 'package.tar.gz');
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(file));
  const seconds = (performance.now() - t0) / 1000;
  await app.close();
  await warehouse.close();
  console.log(JSON.stringify({ seconds, bytes: statSync(file).size, maxRssKb: process.resourceUsage().maxRSS, baseRssKb }));
}

if (values.build) await buildOnly(values.build, Number(values.from), Number(values.to));
else for (const n of SIZES) await run(n);
