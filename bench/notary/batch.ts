/**
 * The notary's own work per manifest, without Kafka (`npx tsx bench/notary/batch.ts [count] [--signed [--per-record]]`):
 * inspect (decode, validate, verify), hash, dedupe, log append, evidence store
 * pack, checkpoint and the signed-batch JSON, on real files. Prints µs per
 * manifest per phase; what the notary adds on top of consuming and producing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, randomUUID } from 'node:crypto';
import { EMITTER_PAYLOAD_TYPE, encodeEmitterBatchHeader, MAX_EMITTER_BATCH, signEmitterBatch } from '@probity/evidence';
import { exportPublicKeyBase64, generateSigningKey, signEnvelope } from '@probity/crypto';
import { FileEvidenceStore } from '@probity/evidence-store';
import { HEADER, type KafkaMessage } from '@probity/kafka';
import { defaultRegistry } from '@probity/schema';
import { notarizeBatch } from '../../services/notary/src/batch.js';
import { schemaDecoder } from '../../services/notary/src/schema-decoder.js';
import { ShardLog } from '../../services/notary/src/shard-log.js';
import type { TenantPolicy } from '../../services/notary/src/tenant-policy.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const count = Number(process.argv[2] ?? 20_000);
const signed = process.argv.includes('--signed');
const perTransaction = Number(process.env.BENCH_PER_TRANSACTION ?? 2000);
const registry = defaultRegistry();
const example = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/examples/EvidenceManifest.training.json'), 'utf8'));
const parsed = registry.fromJson<Record<string, unknown>>('EvidenceManifest', example);
if (!parsed.ok) throw new Error('example manifest invalid');
const emitterKey = generateSigningKey('bench-emitter');
const policy: TenantPolicy = signed
  ? { requireEmitterSignatures: true, retentionYears: 7, emitterKeys: [{ keyId: emitterKey.keyId, publicKey: exportPublicKeyBase64(emitterKey.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' }] }
  : { requireEmitterSignatures: false, retentionYears: 7, emitterKeys: [] };

// --signed: as the SDK signs by default, one signature per run of MAX_EMITTER_BATCH records; with --per-record, one each.
const perRecord = process.argv.includes('--per-record');
const values = Array.from({ length: count }, (_, i) => registry.encode('EvidenceManifest', { ...parsed.value, tenant: 'bench', manifest_id: randomUUID(), run_id: `bench-${i}` }));
const batchHeaders: string[] = [];
if (signed && !perRecord) {
  for (let i = 0; i < count; i += MAX_EMITTER_BATCH) {
    const run = values.slice(i, i + MAX_EMITTER_BATCH).map((v) => createHash('sha256').update(v).digest());
    batchHeaders.push(...signEmitterBatch('bench', run, emitterKey).map(encodeEmitterBatchHeader));
  }
}
const messages: KafkaMessage[] = values.map((value, i) => {
  const headers: Record<string, Buffer> = { [HEADER.tenant]: Buffer.from('bench') };
  if (signed && perRecord) headers[HEADER.emitterSignature] = Buffer.from(JSON.stringify(signEnvelope(value, EMITTER_PAYLOAD_TYPE, emitterKey).signatures));
  if (signed && !perRecord) headers[HEADER.emitterBatch] = Buffer.from(batchHeaders[i]!);
  return { key: Buffer.from(createHash('sha256').update(value).digest('hex')), value, headers, offset: String(i), timestamp: String(Date.now()), attributes: 0, size: value.length } as unknown as KafkaMessage;
});

const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-notary-'));
const log = ShardLog.open(dataDir, 0);
const store = new FileEvidenceStore(path.join(dataDir, 'store'));
const signer = generateSigningKey('bench-notary');
const decoder = schemaDecoder(registry);
const start = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < count; i += perTransaction) {
  const plan = await notarizeBatch(
    { shard: 0, topic: 'raw', messages: messages.slice(i, i + perTransaction) },
    { log, origin: 'bench/shard/0', store, signer, signRecords: false, inspect: { decoder, policyFor: () => policy, maxMessageBytes: 1 << 20 }, now: () => new Date() },
  );
  await plan.stored;
}
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - start;
process.stdout.write(`notarizeBatch${signed ? ` (emitter signatures verified, ${perRecord ? 'per record' : 'per batch'})` : ''}: ${count} manifests, ${((wall * 1000) / count).toFixed(1)} µs wall and ${(((cpu.user + cpu.system) / count)).toFixed(1)} µs CPU per manifest; log size ${log.size}\n`);
