/**
 * End to end through the notary (real Kafka): records whose emitter
 * signatures securesystemslib made with its default key ids (SHA-256 of the
 * key's JSON, not Probity's) are notarized when the tenant registered the key,
 * under either id, per record and per emitter batch; the bundles verify
 * offline; an unregistered key and a tampered signature go to the DLQ.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPrivateKeyPem, exportPublicKeyBase64, fromBase64, generateSigningKey, keyIdFor, toBase64, trustedKeyFor, type Envelope, type SigningKey } from '@probity/crypto';
import { EMITTER_BATCH_PAYLOAD_TYPE, EMITTER_PAYLOAD_TYPE, encodeEmitterBatchHeader, signEmitterBatch, toBundle, verifySignedRecord } from '@probity/evidence';
import { HEADER, headerString } from '@probity/kafka';
import { parsePublicKeyring, publicKeyringPath, toTrustedKeys } from '@probity/keystore';
import { encodeManifest, manifestJson, notaryHarness, type NotaryHarness } from '../../notary/fixtures.js';
import { ensurePython, pythonToolPath, runJson } from './tools.js';

interface PySigned {
  sign: { envelope: Envelope; keyid: string; public_b64: string }[];
}

let harness: NotaryHarness;
let python: string;
beforeAll(async () => {
  python = ensurePython();
  harness = await notaryHarness(2);
});
afterAll(async () => {
  await harness?.cleanup();
});

/** securesystemslib's envelopes over these payloads, each signed with its default key id by the given key. */
function sslibSign(items: { payload: Uint8Array; type: string; key: SigningKey }[]): PySigned['sign'] {
  const request = { sign: items.map((i) => ({ payload_b64: toBase64(i.payload), payload_type: i.type, private_pem: exportPrivateKeyPem(i.key.privateKey), default_keyid: true })) };
  return runJson<PySigned>(python, [pythonToolPath], request).sign;
}

describe('notary with emitter signatures made by securesystemslib', () => {
  it('notarizes records signed with securesystemslib default key ids by registered keys, per record and per batch; refuses the rest', async () => {
    const ours = generateSigningKey('py-registered-by-our-id');
    const theirs = generateSigningKey('py-registered-by-sslib-id');
    const stranger = generateSigningKey('py-unregistered');
    const records = Array.from({ length: 12 }, (_, n) => encodeManifest(manifestJson('acme', n)));
    const perRecord = (range: number[], key: SigningKey) => sslibSign(range.map((i) => ({ payload: records[i]!.bytes, type: EMITTER_PAYLOAD_TYPE, key })));

    const byOurs = perRecord([0, 1, 2], ours);
    const byTheirs = perRecord([3, 4, 5], theirs);
    const byStranger = perRecord([10], stranger);
    const tampered = perRecord([11], ours);
    const sslibIdOfTheirs = byTheirs[0]!.keyid;
    expect(sslibIdOfTheirs).not.toBe(theirs.keyId);
    expect(byOurs[0]!.keyid).not.toBe(ours.keyId);

    // An emitter batch over records 6–9, its statement signed by securesystemslib.
    const batch = signEmitterBatch('acme', records.slice(6, 10).map((r) => Buffer.from(r.contentHash, 'hex')), generateSigningKey('placeholder'));
    const [batchSigned] = sslibSign([{ payload: fromBase64(batch[0]!.payload), type: EMITTER_BATCH_PAYLOAD_TYPE, key: ours }]);
    const batchHeaders = batch.map((proof) => encodeEmitterBatchHeader({ ...proof, signatures: batchSigned!.envelope.signatures }));

    const dataDir = mkdtempSync(path.join(tmpdir(), 'notary-sslib-'));
    const registered = [
      { keyId: keyIdFor(ours.publicKeyRaw), publicKey: exportPublicKeyBase64(ours.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' },
      { keyId: sslibIdOfTheirs, publicKey: exportPublicKeyBase64(theirs.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' },
    ];
    writeFileSync(path.join(dataDir, 'tenants.json'), JSON.stringify({ tenants: { acme: { requireEmitterSignatures: true, emitterKeys: registered } } }));
    await harness.startNotary(dataDir);

    const envelopeHeader = (signed: PySigned['sign'][number], flip = false) => {
      const signatures = signed.envelope.signatures.map((s) => ({ ...s, sig: flip ? toBase64(fromBase64(s.sig).map((b, j) => (j === 9 ? b ^ 1 : b))) : s.sig }));
      return { [HEADER.emitterSignature]: JSON.stringify(signatures) };
    };
    await harness.produceRaw([
      ...byOurs.map((s, i) => ({ key: records[i]!.contentHash, value: records[i]!.bytes, headers: envelopeHeader(s) })),
      ...byTheirs.map((s, i) => ({ key: records[3 + i]!.contentHash, value: records[3 + i]!.bytes, headers: envelopeHeader(s) })),
      ...batchHeaders.map((header, i) => ({ key: records[6 + i]!.contentHash, value: records[6 + i]!.bytes, headers: { [HEADER.emitterBatch]: header } })),
      { key: records[10]!.contentHash, value: records[10]!.bytes, headers: envelopeHeader(byStranger[0]!) },
      { key: records[11]!.contentHash, value: records[11]!.bytes, headers: envelopeHeader(tampered[0]!, true) },
    ]);

    const { records: signed } = await harness.readSigned(10);
    expect(new Set(signed.map((r) => r.content_hash))).toEqual(new Set(records.slice(0, 10).map((r) => r.contentHash)));
    const keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(harness.keysDir), 'utf8')), 'keyring');
    const notaryKeys = toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
    const emitterKeys = registered.map((k, i) => ({ ...trustedKeyFor([ours, theirs][i]!, { notBefore: new Date(k.notBefore) }), keyId: k.keyId }));
    const expectedKeyId = (hash: string) => (records.slice(3, 6).some((r) => r.contentHash === hash) ? sslibIdOfTheirs : keyIdFor(ours.publicKeyRaw));
    for (const record of signed) {
      const report = verifySignedRecord(toBundle(record), { notaryKeys, emitterKeys });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      // The statement names the key as the tenant registered it, not the signature's hint.
      expect(report.statement!.emitter_key_ids).toEqual([expectedKeyId(record.content_hash)]);
    }

    const dlq = await harness.readAll(harness.topics.dlq, 2);
    const reasons = new Map(dlq.map((m) => [m.key!.toString(), headerString(m.headers, HEADER.dlqReason)]));
    expect([reasons.get(records[10]!.contentHash), reasons.get(records[11]!.contentHash)]).toEqual(['SIGNATURE_INVALID', 'SIGNATURE_INVALID']);
    console.log(`notary, securesystemslib default key ids: ${signed.length} of 10 validly signed records notarized (6 per record, 4 by one batch), ${dlq.length} of 2 bad ones dead-lettered`);
  });
});
