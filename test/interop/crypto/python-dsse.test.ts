/**
 * @probity/crypto DSSE envelopes against Python's securesystemslib
 * (securesystemslib.dsse.Envelope with Ed25519 via its CryptoSigner/SSlibKey).
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addSignature,
  exportPrivateKeyPem,
  fromBase64,
  generateSigningKey,
  importPublicKeyBase64,
  keyIdFor,
  signEnvelope,
  toBase64,
  verifyEnvelope,
  type Envelope,
  type TrustedKey,
} from '@probity/crypto';
import { EMITTER_BATCH_PAYLOAD_TYPE, signEmitterBatch } from '@probity/evidence';
import { ensurePython, pythonToolPath, runJson } from './tools.js';

interface PyResponse {
  verify: { result: string; keyids?: string[]; payload_b64?: string }[];
  sign: { envelope: Envelope; keyid: string; public_b64: string }[];
}

const TYPE = 'application/vnd.probity.manifest+avro';
const at = new Date('2025-03-01T00:00:00Z');
const window = { notBefore: new Date('2025-01-01T00:00:00Z') };

describe('interop with Python securesystemslib DSSE', () => {
  let python: string;
  const py = (request: unknown) => runJson<PyResponse>(python, [pythonToolPath], request);
  const payload = Uint8Array.from([0xc3, 0x01, ...new TextEncoder().encode(' binary manifest \u00e9 '), 0x00, 0xff]);

  beforeAll(() => {
    python = ensurePython();
  });

  it('securesystemslib verifies our envelopes, with one and two signers, and rejects tampered ones', () => {
    const a = generateSigningKey('emitter-a');
    const b = generateSigningKey('emitter-b');
    const one = signEnvelope(payload, TYPE, a);
    const two = addSignature(one, b);
    const keyA = { keyid: a.keyId, public_b64: toBase64(a.publicKeyRaw) };
    const keyB = { keyid: b.keyId, public_b64: toBase64(b.publicKeyRaw) };
    const tampered = { ...one, payload: toBase64(Uint8Array.from([...payload, 0])) };
    const res = py({
      verify: [
        { envelope: one, keys: [keyA], threshold: 1 },
        { envelope: two, keys: [keyA, keyB], threshold: 2 },
        { envelope: tampered, keys: [keyA], threshold: 1 },
        { envelope: one, keys: [keyA, keyB], threshold: 2 },
      ],
    });
    expect(res.verify[0]).toEqual({ result: 'ok', keyids: [a.keyId], payload_b64: toBase64(payload) });
    expect(res.verify[1]).toEqual({ result: 'ok', keyids: [a.keyId, b.keyId].sort(), payload_b64: toBase64(payload) });
    expect(res.verify[2]!.result).toMatch(/^VerificationError/);
    expect(res.verify[3]!.result).toMatch(/^VerificationError/);
  });

  it('securesystemslib verifies an emitter batch envelope as the SDK ships it in each record header', () => {
    const key = generateSigningKey('emitter-batch');
    const contentHashes = [1, 2, 3].map((i) => createHash('sha256').update(`record ${i}`).digest());
    const [header] = signEmitterBatch('acme', contentHashes, key);
    const envelope: Envelope = { payload: header!.payload, payloadType: EMITTER_BATCH_PAYLOAD_TYPE, signatures: header!.signatures };
    const res = py({ verify: [{ envelope, keys: [{ keyid: key.keyId, public_b64: toBase64(key.publicKeyRaw) }], threshold: 1 }] });
    expect(res.verify[0]).toEqual({ result: 'ok', keyids: [key.keyId], payload_b64: header!.payload });
    expect(JSON.parse(Buffer.from(fromBase64(header!.payload)).toString('utf8'))).toMatchObject({ v: 1, tenant: 'acme', size: 3 });
  });

  it('we verify envelopes signed by securesystemslib with its own fresh key', () => {
    const res = py({ sign: [{ payload_b64: toBase64(payload), payload_type: TYPE }] });
    const { envelope, keyid, public_b64 } = res.sign[0]!;
    const publicKey = importPublicKeyBase64(public_b64);
    expect(keyIdFor(publicKey)).toBe(keyid);
    const trusted: TrustedKey[] = [{ keyId: keyid, publicKey, ...window, purpose: 'emitter' }];
    const verified = verifyEnvelope(envelope, trusted, { at, purpose: 'emitter' });
    expect(verified.payload).toEqual(payload);
    expect(verified.payloadType).toBe(TYPE);
    expect(verified.keyIds).toEqual([keyid]);
    const forged = { ...envelope, payloadType: 'application/json' };
    expect(() => verifyEnvelope(forged, trusted, { at })).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
  });

  it('securesystemslib signing with our PKCS#8 key yields exactly our envelope', () => {
    const key = generateSigningKey('notary');
    const res = py({ sign: [{ payload_b64: toBase64(payload), payload_type: TYPE, private_pem: exportPrivateKeyPem(key.privateKey) }] });
    expect(res.sign[0]!.keyid).toBe(key.keyId);
    // Ed25519 is deterministic, so the two implementations must agree to the byte.
    expect(res.sign[0]!.envelope).toEqual(signEnvelope(payload, TYPE, key));
    expect(fromBase64(res.sign[0]!.envelope.payload)).toEqual(payload);
  });
});
