/**
 * The gateway's bytes for the Python client's golden test: each case's JSON
 * form, and the single-object bytes and content hash the gateway (the
 * TypeScript registry) makes of it. `npx tsx clients/python/golden.ts` prints
 * the fixture; clients/python/golden.test.ts checks that the committed one is current.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { leafHash, proveAppendedLeaves, toBase64, toHex } from '@probity/crypto';
import { encodeEmitterBatchStatement } from '@probity/evidence';
import { defaultRegistry } from '@probity/schema';

const examples = path.resolve(import.meta.dirname, '../../schemas/examples');
const example = (name: string) => JSON.parse(readFileSync(path.join(examples, name), 'utf8')) as Record<string, unknown>;

/** Examples plus the corners of the JSON mapping: map key order, unions, micro timestamps, unicode, defaults. */
export function goldenCases(): { name: string; type: string; json: Record<string, unknown> }[] {
  const training = example('EvidenceManifest.training.json');
  const inference = example('InferenceRecord.json');
  // Every example file, named by it (`EvidenceManifest.training.json` → `training`, `Incident.json` → `Incident`).
  const all = readdirSync(examples)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const parts = file.split('.');
      return { name: parts.length === 3 ? parts[1]! : parts[0]!, type: parts[0]!, json: example(file) };
    });
  return [
    ...all,
    {
      name: 'map-order-and-unicode',
      type: 'EvidenceManifest',
      json: { ...training, labels: { zeta: 'z', b: 'ü', '10': 'ten', '2': 'two', '01': 'lead', Émile: 'é', '\u{1F600}': 'emoji', '\uFF5E': 'wide' }, summary: 'naïve — ✓' },
    },
    { name: 'prediction-string', type: 'InferenceRecord', json: { ...inference, prediction: 'approve', occurred_at: '2025-03-02T10:15:42.000001+01:00' } },
    { name: 'prediction-integral', type: 'InferenceRecord', json: { ...inference, prediction: 1, latency_ms: 3, features: { a: 1, b: 1e-7, c: 123456789.125 } } },
    { name: 'defaults-only', type: 'EvidenceManifest', json: { tenant: 'acme-bank', manifest_id: '7C1E4B52-3F0A-4D6E-9A55-0C2B8E9F1A34', run_id: 'r', stage: 'training', occurred_at: '2025-03-01T12:00:00.5Z', principal: { kind: 'USER', id: 'u' } } },
  ];
}

/** Emitter-batch trees of 1..9 records (content hashes SHA-256("leaf-i")): statement bytes and proofs, as the SDK makes them. */
export function goldenTrees() {
  return Array.from({ length: 9 }, (_, n) => {
    const hashes = Array.from({ length: n + 1 }, (_, i) => createHash('sha256').update(`leaf-${i}`).digest());
    const { root, proofs } = proveAppendedLeaves(0, [], hashes.map((h) => leafHash(h)));
    return {
      contentHashes: hashes.map((h) => h.toString('hex')),
      statement: encodeEmitterBatchStatement({ v: 1, tenant: 'acme-bank', size: hashes.length, root: toHex(root) }).toString('utf8'),
      proofs: proofs.map((p) => p.map(toBase64)),
    };
  });
}

export function goldenFixture() {
  const registry = defaultRegistry();
  return goldenCases().map(({ name, type, json }) => {
    const converted = registry.fromJson(type as 'EvidenceManifest', json);
    if (!converted.ok) throw new Error(`${name}: ${JSON.stringify(converted.issues)}`);
    const bytes = registry.encode(type as 'EvidenceManifest', converted.value);
    return { name, type, json, hex: bytes.toString('hex'), contentHash: createHash('sha256').update(bytes).digest('hex') };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const [, , which] = process.argv;
  process.stdout.write(`${JSON.stringify(which === 'trees' ? goldenTrees() : goldenFixture(), null, 1)}\n`);
}
