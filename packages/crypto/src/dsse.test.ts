import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  Keyring,
  addSignature,
  generateSigningKey,
  parseEnvelope,
  preAuthEncoding,
  signEnvelope,
  toBase64,
  trustedKeyFor,
  verifyDetachedEnvelope,
  verifyEnvelope,
  type Envelope,
} from './index.js';

const text = (s: string) => new TextEncoder().encode(s);
const d = (iso: string) => new Date(iso);
const TYPE = 'application/vnd.in-toto+json';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    return (err as CryptoError).code;
  }
  return undefined;
}

describe('DSSE v1', () => {
  it('pre-auth encodes exactly as the DSSE spec example', () => {
    expect(new TextDecoder().decode(preAuthEncoding('http://example.com/HelloWorld', text('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    // Lengths count UTF-8 bytes, not characters.
    expect(new TextDecoder().decode(preAuthEncoding('t/é', text('ü')))).toBe('DSSEv1 4 t/é 2 ü');
  });

  const signer = generateSigningKey('emitter');
  const keys = [trustedKeyFor(signer, { notBefore: d('2024-01-01T00:00:00Z'), purpose: 'emitter' as const })];
  const at = d('2024-06-01T00:00:00Z');
  const payload = text('{"_type":"https://in-toto.io/Statement/v1"}');

  it('signs and verifies an envelope with the standard JSON shape', () => {
    const env = signEnvelope(payload, TYPE, signer);
    expect(Object.keys(env).sort()).toEqual(['payload', 'payloadType', 'signatures']);
    expect(env.payload).toBe(toBase64(payload));
    expect(env.signatures).toHaveLength(1);
    expect(env.signatures[0]!.keyid).toBe(signer.keyId);
    const result = verifyEnvelope(JSON.parse(JSON.stringify(env)), keys, { at });
    expect(result.payload).toEqual(payload);
    expect(result.payloadType).toBe(TYPE);
    expect(result.keyIds).toEqual([signer.keyId]);
    expect(verifyEnvelope(JSON.stringify(env), new Keyring(keys), { at, purpose: 'emitter' }).keyIds).toEqual([signer.keyId]);
  });

  it('rejects every tampering with SIGNATURE_INVALID', () => {
    const env = signEnvelope(payload, TYPE, signer);
    const sigBytes = Buffer.from(env.signatures[0]!.sig, 'base64');
    sigBytes[10]! ^= 1;
    const cases: Envelope[] = [
      { ...env, payload: toBase64(text('{"_type":"evil"}')) },
      { ...env, payloadType: 'application/json' },
      { ...env, signatures: [{ keyid: signer.keyId, sig: sigBytes.toString('base64') }] },
      { ...env, signatures: [{ keyid: signer.keyId, sig: toBase64(new Uint8Array(63)) }] },
    ];
    for (const bad of cases) expect(codeOf(() => verifyEnvelope(bad, keys, { at }))).toBe('SIGNATURE_INVALID');
  });

  it('names unknown keys and keys outside their window', () => {
    const env = signEnvelope(payload, TYPE, signer);
    const stranger = generateSigningKey('stranger');
    expect(codeOf(() => verifyEnvelope(signEnvelope(payload, TYPE, stranger), keys, { at }))).toBe('KEY_UNKNOWN');
    expect(codeOf(() => verifyEnvelope(env, keys, { at: d('2023-06-01T00:00:00Z') }))).toBe('KEY_NOT_VALID_AT_TIME');
    expect(codeOf(() => verifyEnvelope(env, keys, { at, purpose: 'notary' }))).toBe('KEY_UNKNOWN');
    expect(codeOf(() => verifyEnvelope(env, [], { at }))).toBe('KEY_UNKNOWN');
  });

  it('keeps old signatures valid after rotation when checked at signing time', () => {
    const oldKey = generateSigningKey('notary-2024');
    const newKey = generateSigningKey('notary-2025');
    const ring = new Keyring([
      trustedKeyFor(oldKey, { notBefore: d('2024-01-01T00:00:00Z'), notAfter: d('2024-12-31T23:59:59Z'), purpose: 'notary' }),
      trustedKeyFor(newKey, { notBefore: d('2025-01-01T00:00:00Z'), purpose: 'notary' }),
    ]);
    const signedIn2024 = signEnvelope(payload, TYPE, oldKey);
    expect(verifyEnvelope(signedIn2024, ring, { at: d('2024-07-01T00:00:00Z') }).keyIds).toEqual([oldKey.keyId]);
    expect(codeOf(() => verifyEnvelope(signedIn2024, ring, { at: d('2025-07-01T00:00:00Z') }))).toBe('KEY_NOT_VALID_AT_TIME');
    expect(verifyEnvelope(signEnvelope(payload, TYPE, newKey), ring, { at: d('2025-07-01T00:00:00Z') }).keyIds).toEqual([newKey.keyId]);
  });

  it('counts distinct trusted signers against a threshold', () => {
    const second = generateSigningKey('second');
    const ring = [...keys, trustedKeyFor(second, { notBefore: d('2024-01-01T00:00:00Z') })];
    const one = signEnvelope(payload, TYPE, signer);
    const two = addSignature(one, second);
    expect(two.signatures.map((s) => s.keyid)).toEqual([signer.keyId, second.keyId]);
    expect(verifyEnvelope(two, ring, { at, threshold: 2 }).keyIds).toEqual([signer.keyId, second.keyId]);
    expect(codeOf(() => verifyEnvelope(one, ring, { at, threshold: 2 }))).toBe('SIGNATURE_INVALID');
    // The same key twice does not count twice.
    const dup: Envelope = { ...one, signatures: [one.signatures[0]!, { ...one.signatures[0]! }] };
    expect(codeOf(() => verifyEnvelope(dup, ring, { at, threshold: 2 }))).toBe('SIGNATURE_INVALID');
    // Re-signing with the same key replaces, not duplicates.
    expect(addSignature(two, signer).signatures).toHaveLength(2);
    // A bad signature beside a good one does not block the good one (DSSE semantics).
    const noisy: Envelope = { ...one, signatures: [{ keyid: second.keyId, sig: one.signatures[0]!.sig }, one.signatures[0]!] };
    expect(verifyEnvelope(noisy, ring, { at }).keyIds).toEqual([signer.keyId]);
  });

  it('treats keyid as a hint: a registered key that verifies is found whatever the hint says, never a key of another tenant', () => {
    const a = generateSigningKey('tenant-a');
    const b = generateSigningKey('tenant-b');
    const window = { notBefore: d('2024-01-01T00:00:00Z'), purpose: 'emitter' as const };
    // Tenant a registered its key under securesystemslib's id; the envelope carries yet another hint.
    const sslibId = 'c0'.repeat(32);
    const ring = new Keyring([{ ...trustedKeyFor(a, { ...window, tenant: 'a' }), keyId: sslibId }, trustedKeyFor(b, { ...window, tenant: 'b' })]);
    const byA = signEnvelope(payload, TYPE, { keyId: 'some-other-scheme', privateKey: a.privateKey });
    expect(verifyEnvelope(byA, ring, { at, tenant: 'a' }).keyIds).toEqual([sslibId]);
    expect(verifyEnvelope(signEnvelope(payload, TYPE, { keyId: sslibId, privateKey: a.privateKey }), ring, { at, tenant: 'a' }).keyIds).toEqual([sslibId]);
    // A hint naming a key of the wrong tenant is not a way in: b's signature for tenant a fails, whatever it names.
    for (const hint of [b.keyId, sslibId, '']) {
      const byB = signEnvelope(payload, TYPE, { keyId: hint || 'x', privateKey: b.privateKey });
      const env = hint === '' ? { ...byB, signatures: [{ sig: byB.signatures[0]!.sig }] } : byB;
      expect(() => verifyEnvelope(env, ring, { at, tenant: 'a' })).toThrow(CryptoError);
    }
    // A hint naming a's key on a signature by b: tried first, fails, and b's key is outside the filter.
    expect(codeOf(() => verifyEnvelope(signEnvelope(payload, TYPE, { keyId: sslibId, privateKey: b.privateKey }), ring, { at, tenant: 'a' }))).toBe('SIGNATURE_INVALID');
    // Two ids for one public key still count as one signer.
    const twice = new Keyring([trustedKeyFor(a, window), { ...trustedKeyFor(a, window), keyId: sslibId }]);
    const doubled = addSignature(signEnvelope(payload, TYPE, a), { keyId: sslibId, privateKey: a.privateKey });
    expect(codeOf(() => verifyEnvelope(doubled, twice, { at, threshold: 2 }))).toBe('SIGNATURE_INVALID');
  });

  it('accepts signatures without keyid and URL-safe base64, as the DSSE spec allows', () => {
    const env = signEnvelope(payload, TYPE, signer);
    const urlSafe = (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const loose = { payload: urlSafe(env.payload), payloadType: TYPE, signatures: [{ sig: urlSafe(env.signatures[0]!.sig) }] };
    expect(verifyEnvelope(loose, keys, { at }).keyIds).toEqual([signer.keyId]);
  });

  it.each<[string, unknown]>([
    ['not JSON', '{"payload":'],
    ['an array', []],
    ['null', null],
    ['missing payload', { payloadType: TYPE, signatures: [{ keyid: 'k', sig: 'AAAA' }] }],
    ['numeric payload', { payload: 1, payloadType: TYPE, signatures: [{ keyid: 'k', sig: 'AAAA' }] }],
    ['empty payloadType', { payload: '', payloadType: '', signatures: [{ keyid: 'k', sig: 'AAAA' }] }],
    ['no signatures', { payload: '', payloadType: TYPE, signatures: [] }],
    ['signature not an object', { payload: '', payloadType: TYPE, signatures: ['AAAA'] }],
    ['numeric keyid', { payload: '', payloadType: TYPE, signatures: [{ keyid: 1, sig: 'AAAA' }] }],
    ['empty sig', { payload: '', payloadType: TYPE, signatures: [{ keyid: 'k', sig: '' }] }],
    ['bad base64 payload', { payload: 'a!b', payloadType: TYPE, signatures: [{ keyid: 'k', sig: 'AAAA' }] }],
    ['bad base64 sig', { payload: '', payloadType: TYPE, signatures: [{ keyid: 'k', sig: 'A A' }] }],
    ['extra top-level field', { payload: '', payloadType: TYPE, signatures: [{ keyid: 'k', sig: 'AAAA' }], extra: 1 }],
    ['extra signature field', { payload: '', payloadType: TYPE, signatures: [{ keyid: 'k', sig: 'AAAA', cert: 'x' }] }],
  ])('rejects a malformed envelope: %s', (_name, input) => {
    expect(codeOf(() => verifyEnvelope(input, keys, { at }))).toBe('ENVELOPE_MALFORMED');
    expect(codeOf(() => parseEnvelope(input))).toBe('ENVELOPE_MALFORMED');
  });

  it('refuses to guess the signing time from an invalid Date', () => {
    expect(codeOf(() => verifyEnvelope(signEnvelope(payload, TYPE, signer), keys, { at: new Date('nope') }))).toBe('KEY_NOT_VALID_AT_TIME');
  });

  it('rejects a nonsensical threshold', () => {
    expect(codeOf(() => verifyEnvelope(signEnvelope(payload, TYPE, signer), keys, { at, threshold: 0 }))).toBe('ENVELOPE_MALFORMED');
  });
});

describe('verifyDetachedEnvelope', () => {
  const key = generateSigningKey('detached');
  const trusted = [trustedKeyFor(key, { notBefore: d('2020-01-01T00:00:00Z') })];
  const payload = text('record bytes');
  const envelope = signEnvelope(payload, TYPE, key);

  it('accepts what verifyEnvelope accepts, given the payload as bytes', () => {
    expect(verifyEnvelope(envelope, trusted).keyIds).toEqual([key.keyId]);
    expect(verifyDetachedEnvelope(TYPE, payload, envelope.signatures, trusted).keyIds).toEqual([key.keyId]);
  });

  it('refuses another payload, another payload type and malformed signatures', () => {
    expect(codeOf(() => verifyDetachedEnvelope(TYPE, text('record bytez'), envelope.signatures, trusted))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifyDetachedEnvelope('text/plain', payload, envelope.signatures, trusted))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifyDetachedEnvelope(TYPE, payload, { keyid: key.keyId }, trusted))).toBe('ENVELOPE_MALFORMED');
    expect(codeOf(() => verifyDetachedEnvelope(TYPE, payload, [{ ...envelope.signatures[0], extra: 1 }], trusted))).toBe('ENVELOPE_MALFORMED');
  });
});
