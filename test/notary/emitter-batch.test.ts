import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmitter } from '@probity/agent';
import { exportPublicKeyBase64, generateSigningKey, trustedKeyFor } from '@probity/crypto';
import { EMITTER_BATCH_PAYLOAD_TYPE, toBundle, verifySignedRecord } from '@probity/evidence';
import { HEADER, headerString } from '@probity/kafka';
import { parsePublicKeyring, publicKeyringPath, toTrustedKeys } from '@probity/keystore';
import { loadCommonConfig } from '@probity/config';
import { manifestJson, notaryHarness, type NotaryHarness } from './fixtures.js';

let harness: NotaryHarness;
beforeAll(async () => {
  harness = await notaryHarness(3);
});
afterAll(async () => {
  await harness.cleanup();
});

describe('notary with emitter batch signatures', () => {
  it('accepts SDK records signed per batch for a tenant that requires signatures; each bundle verifies offline with the emitter key', async () => {
    const emitterKey = generateSigningKey('sdk-batch-emitter');
    const intruderKey = generateSigningKey('intruder');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'notary-batch-'));
    const registered = { keyId: emitterKey.keyId, publicKey: exportPublicKeyBase64(emitterKey.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' };
    writeFileSync(path.join(dataDir, 'tenants.json'), JSON.stringify({ tenants: { signedco: { requireEmitterSignatures: true, emitterKeys: [registered] } } }));
    await harness.startNotary(dataDir);

    const emit = async (name: string, signer: Parameters<typeof createEmitter>[0]['signer'], count: number, from: number) => {
      const emitter = await createEmitter({ name, dataDir: mkdtempSync(path.join(tmpdir(), 'emitter-')), brokers: loadCommonConfig().KAFKA_BROKERS, topic: harness.topics.raw, signer, lingerMs: 20 });
      const results = await Promise.all(Array.from({ length: count }, (_, i) => emitter.emit(manifestJson('signedco', from + i), { format: 'json' })));
      await emitter.close();
      return results.map((r) => r.contentHash);
    };
    // 300 records: more than two batches of 128 in one send; then 5 signed per record, 3 by an unregistered key, 2 unsigned.
    const batchSigned = await emit('batch', emitterKey, 300, 0);
    const recordSigned = await emit('record', { ...emitterKey, mode: 'record' }, 5, 1000);
    const byIntruder = await emit('intruder', intruderKey, 3, 2000);
    const unsigned = await emit('unsigned', undefined, 2, 3000);

    const { records } = await harness.readSigned(305);
    expect(records).toHaveLength(305);
    expect(new Set(records.map((r) => r.content_hash))).toEqual(new Set([...batchSigned, ...recordSigned]));
    const byHash = new Map(records.map((r) => [r.content_hash, r]));
    expect(batchSigned.every((h) => byHash.get(h)!.emitter_envelope?.payloadType === EMITTER_BATCH_PAYLOAD_TYPE)).toBe(true);
    expect(new Set(batchSigned.map((h) => byHash.get(h)!.emitter_envelope!.payload)).size).toBeGreaterThanOrEqual(3);

    const keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(harness.keysDir), 'utf8')), 'keyring');
    const notaryKeys = toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
    const emitterKeys = [trustedKeyFor(emitterKey, { notBefore: new Date('2020-01-01T00:00:00Z') })];
    for (const record of records) {
      const report = verifySignedRecord(toBundle(record), { notaryKeys, emitterKeys });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    }
    // The bundle of a batch-signed record does not verify with another emitter's key.
    const wrongKey = verifySignedRecord(toBundle(byHash.get(batchSigned[0]!)!), { notaryKeys, emitterKeys: [trustedKeyFor(intruderKey, { notBefore: new Date('2020-01-01T00:00:00Z') })] });
    expect(wrongKey.valid).toBe(false);

    const dlq = await harness.readAll(harness.topics.dlq, 5);
    const reasons = new Map(dlq.map((m) => [m.key!.toString(), headerString(m.headers, HEADER.dlqReason)]));
    expect(byIntruder.map((h) => reasons.get(h))).toEqual(['SIGNATURE_INVALID', 'SIGNATURE_INVALID', 'SIGNATURE_INVALID']);
    expect(unsigned.map((h) => reasons.get(h))).toEqual(['SIGNATURE_REQUIRED', 'SIGNATURE_REQUIRED']);
  });
});
