import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRawPack, toBundle, verifySignedRecord } from '@probity/evidence';
import { HEADER, headerString, partitionForKey } from '@probity/kafka';
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
    // A raw pack as the SDK sends it, to the partition of its entries: a new record, a duplicate, a bad one.
    const packed = encodeManifest(manifestJson('acme', 500));
    const packedInvalid = encodeSchemaValidOnly(manifestJson('globex', 501), (value) => {
      value.tenant = 'Not A Tenant';
    });
    const packPartition = partitionForKey(packed.contentHash, 3);
    // Entries belong to the pack's partition (as the SDK packs them), so the duplicate meets its original's shard.
    const duplicate = valid.find((v) => partitionForKey(v.contentHash, 3) === packPartition)!;
    const pack = encodeRawPack([
      { value: packed.bytes, headers: { [HEADER.tenant]: 'acme' } },
      { value: duplicate.bytes, headers: {} },
      { value: packedInvalid, headers: { 'x-origin': 'pack' } },
    ]);

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
      { key: 'pack', value: pack, partition: packPartition, headers: { [HEADER.recordCount]: '3' } },
    ]);

    const { records: bodies, messages } = await harness.readSigned(201);
    const dlq = await harness.readAll(harness.topics.dlq, 7);

    expect(bodies).toHaveLength(201);
    // Batched: far fewer signed messages than records, each counted in its header.
    expect(messages.length).toBeLessThan(200);
    expect(messages.reduce((n, m) => n + Number(headerString(m.headers, HEADER.recordCount)), 0)).toBe(201);
    expect(new Set(bodies.map((b) => b.content_hash))).toEqual(new Set([...valid, packed].map((v) => v.contentHash)));

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
      // A pack entry is dead-lettered alone, keyed by its content hash, with its own bytes.
      [createHash('sha256').update(packedInvalid).digest('hex')]: 'SEMANTIC_INVALID',
    });
    const fromPack = dlq.find((m) => headerString(m.headers, 'x-origin') === 'pack')!;
    expect(fromPack.value).toEqual(packedInvalid);
    expect(headerString(fromPack.headers, HEADER.dlqSourcePackIndex)).toBe('2');
    expect(headerString(fromPack.headers, HEADER.dlqDetail)).toContain('tenant');
    const garbageMessage = dlq.find((m) => m.key!.toString() === 'garbage')!;
    expect(garbageMessage.value).toEqual(garbage);
    expect(headerString(garbageMessage.headers, 'x-origin')).toBe('test');
    expect(headerString(garbageMessage.headers, HEADER.dlqDetail)).toBeTruthy();
    expect(headerString(dlq.find((m) => m.key!.toString() === 'semantic')!.headers, HEADER.dlqDetail)).toContain('controls');

    const stats = notary.stats();
    expect(stats.accepted).toBe(201);
    expect(stats.duplicates).toBe(21);
    expect(Object.values(stats.dlq).reduce((a, b) => a + b, 0)).toBe(7);
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
