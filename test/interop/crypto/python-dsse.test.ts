/**
 * @probity/crypto DSSE envelopes against Python's securesystemslib
 * (securesystemslib.dsse.Envelope with Ed25519 via its CryptoSigner/SSlibKey).
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CryptoError,
  Keyring,
  addSignature,
  exportPrivateKeyPem,
  fromBase64,
  generateSigningKey,
  importPublicKeyBase64,
  keyIdFor,
  signEnvelope,
  toBase64,
  trustedKeyFor,
  verifyEnvelope,
  type Envelope,
  type TrustedKey,
} from '@probity/crypto';
import { EMITTER_BATCH_PAYLOAD_TYPE, EMITTER_PAYLOAD_TYPE, signEmitterBatch } from '@probity/evidence';
import { ensurePython, pythonToolPath, runJson } from './tools.js';

interface PyResponse {
  verify: { result: string; keyids?: string[]; payload_b64?: string }[];
  sign: { envelope: Envelope; keyid: string; public_b64: string }[];
}

/** How many envelopes verify, and the codes of those that do not. */
function tally(envelopes: readonly Envelope[], verify: (e: Envelope) => unknown): { valid: number; refused: string[] } {
  let valid = 0;
  const refused: string[] = [];
  for (const envelope of envelopes) {
    try {
      verify(envelope);
      valid += 1;
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      refused.push(err.code);
    }
  }
  return { valid, refused };
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

  it("we verify every envelope securesystemslib signs with its default key ids (SHA-256 of the key's JSON), however the key was registered; tampered ones and other tenants' keys fail", () => {
    // Three emitter keys of one tenant, three kinds of payload: nine envelopes, as an emitter using securesystemslib plainly makes them.
    const keys = [0, 1, 2].map((i) => generateSigningKey(`py-emitter-${i}`));
    const payloads: [Uint8Array, string][] = [
      [payload, EMITTER_PAYLOAD_TYPE],
      [new TextEncoder().encode('{"_type":"https://in-toto.io/Statement/v1","subject":[]}'), 'application/vnd.in-toto+json'],
      [new TextEncoder().encode(JSON.stringify({ v: 1, tenant: 'acme', size: 3, root: 'ab'.repeat(32) })), EMITTER_BATCH_PAYLOAD_TYPE],
    ];
    const requests = keys.flatMap((key) => payloads.map(([p, type]) => ({ payload_b64: toBase64(p), payload_type: type, private_pem: exportPrivateKeyPem(key.privateKey), default_keyid: true })));
    const signed = py({ sign: requests }).sign;
    const envelopes = signed.map((s) => s.envelope);
    const N = envelopes.length;
    expect(N).toBe(9);
    // securesystemslib's key ids are not ours: the hint names no key registered under Probity's scheme.
    signed.forEach((s, i) => {
      expect(s.envelope.signatures.map((sig) => sig.keyid)).toEqual([s.keyid]);
      expect(s.keyid).not.toBe(keyIdFor(importPublicKeyBase64(s.public_b64)));
      expect(importPublicKeyBase64(s.public_b64)).toEqual(keys[Math.floor(i / 3)]!.publicKeyRaw);
    });
    const sslibIdOf = (key: (typeof keys)[number]) => signed[keys.indexOf(key) * 3]!.keyid;
    const bound = { ...window, purpose: 'emitter' as const, tenant: 'acme' };
    const registrations = {
      // `probity keys register --public-key …`: our key id.
      ours: new Keyring(keys.map((k) => trustedKeyFor(k, bound))),
      // `probity keys register --public-key … --key-id <securesystemslib's>`.
      theirs: new Keyring(keys.map((k) => ({ ...trustedKeyFor(k, bound), keyId: sslibIdOf(k) }))),
    };
    const counts: Record<string, string> = {};
    for (const [name, ring] of Object.entries(registrations)) {
      const result = tally(envelopes, (e) => verifyEnvelope(e, ring, { at, purpose: 'emitter', tenant: 'acme' }));
      counts[name] = `${result.valid} valid / ${N}`;
      expect(result).toEqual({ valid: N, refused: [] });
      envelopes.forEach((e, i) => expect(verifyEnvelope(e, ring, { at, tenant: 'acme' }).keyIds).toEqual([name === 'ours' ? keys[Math.floor(i / 3)]!.keyId : signed[i]!.keyid]));

      const tampered = envelopes.flatMap((e) => [
        { ...e, payload: toBase64(Uint8Array.from([...fromBase64(e.payload), 0x20])) },
        { ...e, payloadType: `${e.payloadType}+x` },
        { ...e, signatures: e.signatures.map((sig) => ({ ...sig, sig: toBase64(fromBase64(sig.sig).map((b, j) => (j === 5 ? b ^ 1 : b))) })) },
      ]);
      const forged = tally(tampered, (e) => verifyEnvelope(e, ring, { at, tenant: 'acme' }));
      counts[`${name} tampered`] = `${forged.refused.length} refused / ${tampered.length}`;
      expect(forged.valid).toBe(0);
      // The same keys bound to another tenant: refused, whatever the hint names.
      const elsewhere = tally(envelopes, (e) => verifyEnvelope(e, ring, { at, tenant: 'globex' }));
      counts[`${name} other tenant`] = `${elsewhere.refused.length} refused / ${N}`;
      expect(elsewhere.valid).toBe(0);
    }
    console.log(`securesystemslib default key ids: ${JSON.stringify(counts)}`);
  });
});
