/**
 * DSSE envelopes a Go emitter makes with go-securesystemslib (its dsse
 * package and Ed25519 signer, key loaded from a PKCS#8 PEM): its default key
 * id is SHA-256 of the key's canonical JSON with keyid_hash_algorithms, yet
 * another scheme. Every envelope must verify with the tenant's registered
 * key, under whichever id it was registered; tampered ones must not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoError, Keyring, exportPrivateKeyPem, fromBase64, generateSigningKey, keyIdFor, toBase64, trustedKeyFor, verifyEnvelope, type Envelope } from '@probity/crypto';
import { EMITTER_BATCH_PAYLOAD_TYPE, EMITTER_PAYLOAD_TYPE } from '@probity/evidence';
import { ensureGoChecker, runJson } from './tools.js';

const at = new Date('2025-03-01T00:00:00Z');
const bound = { notBefore: new Date('2025-01-01T00:00:00Z'), purpose: 'emitter' as const, tenant: 'acme' };

function accepted(envelopes: readonly Envelope[], ring: Keyring, tenant: string): number {
  return envelopes.filter((e) => {
    try {
      verifyEnvelope(e, ring, { at, tenant });
      return true;
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      return false;
    }
  }).length;
}

describe('interop with Go go-securesystemslib DSSE signing', () => {
  let checker: string;
  beforeAll(() => {
    checker = ensureGoChecker();
  });

  it('verifies every envelope Go signs with its default key ids, however the key was registered; tampered ones fail', () => {
    const keys = [0, 1, 2].map((i) => generateSigningKey(`go-emitter-${i}`));
    const payloads: [Uint8Array, string][] = [
      [Uint8Array.from([0xc3, 0x01, 0x00, 0xff, 0x10]), EMITTER_PAYLOAD_TYPE],
      [new TextEncoder().encode('{"_type":"https://in-toto.io/Statement/v1"}'), 'application/vnd.in-toto+json'],
      [new TextEncoder().encode(JSON.stringify({ v: 1, tenant: 'acme', size: 2, root: 'cd'.repeat(32) })), EMITTER_BATCH_PAYLOAD_TYPE],
    ];
    const requests = keys.flatMap((key) => payloads.map(([payload, payloadType]) => ({ payloadB64: toBase64(payload), payloadType, privatePem: exportPrivateKeyPem(key.privateKey) })));
    const { dsse: envelopes } = runJson<{ dsse: Envelope[] }>(checker, [], { dsseSigns: requests });
    const N = envelopes.length;
    expect(N).toBe(9);
    const goIdOf = (i: number) => envelopes[i * 3]!.signatures[0]!.keyid;
    keys.forEach((key, i) => {
      expect(goIdOf(i)).toMatch(/^[0-9a-f]{64}$/);
      expect(goIdOf(i)).not.toBe(keyIdFor(key.publicKeyRaw));
    });
    const ours = new Keyring(keys.map((k) => trustedKeyFor(k, bound)));
    const theirs = new Keyring(keys.map((k, i) => ({ ...trustedKeyFor(k, bound), keyId: goIdOf(i) })));
    const tampered = envelopes.flatMap((e) => [
      { ...e, payload: toBase64(Uint8Array.from([...fromBase64(e.payload), 1])) },
      { ...e, payloadType: 'application/json' },
      { ...e, signatures: e.signatures.map((s) => ({ ...s, sig: toBase64(fromBase64(s.sig).map((b, j) => (j === 0 ? b ^ 0x80 : b))) })) },
    ]);
    const counts = {
      ours: accepted(envelopes, ours, 'acme'),
      theirs: accepted(envelopes, theirs, 'acme'),
      tamperedAccepted: accepted(tampered, ours, 'acme') + accepted(tampered, theirs, 'acme'),
      otherTenantAccepted: accepted(envelopes, ours, 'globex'),
    };
    expect(counts).toEqual({ ours: N, theirs: N, tamperedAccepted: 0, otherTenantAccepted: 0 });
    console.log(`go-securesystemslib default key ids: ${counts.ours}/${N} valid registered under our ids, ${counts.theirs}/${N} under Go's; ${tampered.length * 2} tampered checks, ${counts.tamperedAccepted} accepted`);
  });
});
