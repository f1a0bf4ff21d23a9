/**
 * CPU per record of the SDK's encode, and of its parts, without Kafka
 * (`npx tsx bench/ingest/encode-cost.ts [count]`). Each line is the median
 * and best of 7 passes over `count` distinct training manifests.
 *
 * - encodeRecord: what `emit` does before queueing (validate, encode, hash).
 * - one pass: the direct encoder alone (direct-encoder.ts).
 * - step by step: the path values the one pass declines take (normalize,
 *   avsc check and encode, then the semantic rules over the bytes).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '@probity/crypto';
import { defaultRegistry } from '@probity/schema';
import { encodeRecord } from '../../packages/agent/src/record-encoder.js';
import { encodeClean } from '../../packages/schema/src/direct-encoder.js';
import { normalizeValue } from '../../packages/schema/src/normalize.js';
import { encodeSingleObject } from '../../packages/schema/src/single-object.js';
import { schemaIssues } from '../../packages/schema/src/validate-schema.js';

const count = Number(process.argv[2] ?? 50_000);
const registry = defaultRegistry();
const example = JSON.parse(await readFile(new URL('../../schemas/examples/EvidenceManifest.training.json', import.meta.url), 'utf8')) as unknown;
const converted = registry.fromJson<Record<string, unknown>>('EvidenceManifest', example);
if (!converted.ok) throw new Error(`example invalid: ${JSON.stringify(converted.issues)}`);
const values = Array.from({ length: count }, (_, i) => ({ ...converted.value, manifest_id: randomUUID(), run_id: `bench-${i}` }));
const entry = registry.current('EvidenceManifest');
const latestMicros = Date.now() * 1000 + 86_400_000_000;
const encoded = registry.encode('EvidenceManifest', values[0]);
console.log(`training manifest: ${encoded.length} bytes, ${count} per pass`);

function measure(label: string, work: (value: unknown) => unknown): void {
  const perRecord: number[] = [];
  for (let pass = 0; pass < 7; pass++) {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) work(values[i]);
    const used = process.cpuUsage(before);
    perRecord.push((used.user + used.system) / count);
  }
  perRecord.sort((a, b) => a - b);
  console.log(`${label.padEnd(36)} median ${perRecord[3]!.toFixed(2)} µs, best ${perRecord[0]!.toFixed(2)} µs`);
}

measure('encodeRecord (validate+encode+hash)', (value) => encodeRecord(registry, 'EvidenceManifest', value, 'avro'));
measure('one pass (encodeClean)', (value) => encodeClean(entry.type, entry.fingerprint, value, latestMicros));
measure('step by step', (value) => {
  const normalized = normalizeValue(entry.type, value);
  if (schemaIssues(entry.type, normalized).length > 0) throw new Error('invalid');
  const bytes = encodeSingleObject(entry.fingerprint, entry.type, normalized);
  if (registry.quickCheck(bytes, { now: new Date() }) === null) throw new Error('not clean');
});
measure('  avsc toBuffer alone', (value) => entry.type.toBuffer(value));
measure('  semantic rules over the bytes', () => registry.quickCheck(encoded));
measure('sha256 (hex)', () => sha256Hex(encoded));
