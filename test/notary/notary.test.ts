import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBundle, verifySignedRecord } from '@probity/evidence';
import { HEADER, headerString } from '@probity/kafka';
import { parsePublicKeyring, publicKeyringPath, toTrustedKeys } from '@probity/keystore';
import { encodeManifest, encodeSchemaValidOnly, manifestJson, notaryHarness, type NotaryHarness } from './fixtures.js';

let harness: NotaryHarness;

beforeAll(async () => {
  harness = await notaryHarness(3);
});
afterAll(async () => {
  await harness.cleanup();
});

function notaryKeys() {
  const keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(harness.keysDir), 'utf8')), 'keyring');
  return toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
}

describe('notary', () => {
  it('notarizes valid records exactly once, sends every bad one to the DLQ with its bytes and reason, and keeps running', async () => {
    const tenants = ['acme', 'globex'];
    const valid = Array.from({ length: 200 }, (_, n) => encodeManifest(manifestJson(tenants[n % 2]!, n)));
    const semanticallyInvalid = encodeSchemaValidOnly(manifestJson('acme', 999), (value) => {
      value.controls = ['not a control'];
    });
    const unknownFingerprint = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 0xab), Buffer.from('body')]);
    const garbage = Buffer.from('this is not avro at all');
    const truncated = valid[0]!.bytes.subarray(0, valid[0]!.bytes.length - 5);
    const oversized = Buffer.concat([valid[1]!.bytes, Buffer.alloc(70 * 1024)]);

    // On an inspect worker thread (NOTARY_INSPECT_THREADS=1); the fault tests run notaries with the inline default.
    const notary = await harness.startNotary(undefined, { inspectThreads: 1 });
    await harness.produceRaw([
      ...valid.map((v) => ({ key: v.contentHash, value: v.bytes })),
      // Redelivery / a retrying emitter: the same bytes again must not become a second leaf.
      ...valid.slice(0, 20).map((v) => ({ key: v.contentHash, value: v.bytes })),
      { key: 'semantic', value: semanticallyInvalid },
      { key: 'fingerprint', value: unknownFingerprint },
      { key: 'garbage', value: garbage, headers: { 'x-origin': 'test' } },
      { key: 'truncated', value: truncated },
      { key: 'oversized', value: oversized },
      { key: 'tenant-mismatch', value: valid[2]!.bytes, headers: { [HEADER.tenant]: 'someone-else' } },
    ]);

    const { records: bodies, messages } = await harness.readSigned(200);
    const dlq = await harness.readAll(harness.topics.dlq, 6);

    expect(bodies).toHaveLength(200);
    // Batched: far fewer signed messages than records, each counted in its header.
    expect(messages.length).toBeLessThan(200);
    expect(messages.reduce((n, m) => n + Number(headerString(m.headers, HEADER.recordCount)), 0)).toBe(200);
    expect(new Set(bodies.map((b) => b.content_hash))).toEqual(new Set(valid.map((v) => v.contentHash)));

    // Each shard's leaves are 0..n-1 without gaps or repeats.
    const byShard = new Map<number, number[]>();
    for (const b of bodies) byShard.set(b.shard, [...(byShard.get(b.shard) ?? []), b.leaf_index]);
    for (const indexes of byShard.values()) expect(indexes.sort((a, b) => a - b)).toEqual(indexes.map((_, i) => i));

    const keys = notaryKeys();
    for (const body of bodies) {
      const report = verifySignedRecord(toBundle(body), { notaryKeys: keys });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.valid).toBe(true);
    }

    const reasons = Object.fromEntries(dlq.map((m) => [m.key!.toString(), headerString(m.headers, HEADER.dlqReason)]));
    expect(reasons).toEqual({
      semantic: 'SEMANTIC_INVALID',
      fingerprint: 'UNKNOWN_FINGERPRINT',
      garbage: 'NOT_SINGLE_OBJECT',
      truncated: 'BODY_INVALID',
      oversized: 'OVERSIZED',
      'tenant-mismatch': 'TENANT_MISMATCH',
    });
    const garbageMessage = dlq.find((m) => m.key!.toString() === 'garbage')!;
    expect(garbageMessage.value).toEqual(garbage);
    expect(headerString(garbageMessage.headers, 'x-origin')).toBe('test');
    expect(headerString(garbageMessage.headers, HEADER.dlqDetail)).toBeTruthy();
    expect(headerString(dlq.find((m) => m.key!.toString() === 'semantic')!.headers, HEADER.dlqDetail)).toContain('controls');

    const stats = notary.stats();
    expect(stats.accepted).toBe(200);
    expect(stats.duplicates).toBe(20);
    expect(Object.values(stats.dlq).reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('detects any single flipped byte in an evidence bundle', async () => {
    const { records } = await harness.readSigned(1);
    const bundle = toBundle(records[0]!);
    const keys = notaryKeys();
    expect(verifySignedRecord(bundle, { notaryKeys: keys }).valid).toBe(true);
    const text = Buffer.from(JSON.stringify(bundle));
    let undetected: number[] = [];
    for (let i = 0; i < text.length; i += 1) {
      const flipped = Buffer.from(text);
      flipped[i] = flipped[i]! ^ 0x01;
      let parsed: unknown;
      try {
        parsed = JSON.parse(flipped.toString());
      } catch {
        continue; // unparseable is detected
      }
      if (verifySignedRecord(parsed as typeof bundle, { notaryKeys: keys }).valid) undetected.push(i);
    }
    expect(undetected.map((i) => `${i}: …${text.subarray(Math.max(0, i - 20), i + 20).toString()}…`)).toEqual([]);
  });
});
