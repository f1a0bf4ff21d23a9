import * as nodeCrypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Keyring, MAX_SIGNATURE_CHECKS_PER_ENVELOPE, generateSigningKey, signEnvelope, trustedKeyFor, verifyEnvelope, type Envelope } from './index.js';

// Count the Ed25519 verifications dsse.ts makes (its node:crypto import is this mock).
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, verify: vi.fn(real.verify) };
});
const verifyCalls = () => vi.mocked(nodeCrypto.verify).mock.calls.length;

const d = (iso: string) => new Date(iso);
const at = d('2024-06-01T00:00:00Z');
const TYPE = 'application/vnd.in-toto+json';
const payload = new TextEncoder().encode('{"a":1}');

describe('DSSE signature-check budget', () => {
  const many = Array.from({ length: 6 }, (_, i) => generateSigningKey(`k${i}`));
  const ring = new Keyring(many.map((k) => trustedKeyFor(k, { notBefore: d('2024-01-01T00:00:00Z') })));
  afterEach(() => vi.mocked(nodeCrypto.verify).mockClear());

  it(`spends at most MAX_SIGNATURE_CHECKS_PER_ENVELOPE (${MAX_SIGNATURE_CHECKS_PER_ENVELOPE}) verifications on an envelope, however many signatures and keys`, () => {
    const stranger = generateSigningKey('stranger');
    const junk = signEnvelope(payload, TYPE, { keyId: 'unknown', privateKey: stranger.privateKey });
    // Ten foreign-hinted signatures against six keys would be sixty verifications without the bound.
    const flood: Envelope = { ...junk, signatures: Array.from({ length: 10 }, (_, i) => ({ keyid: i % 2 ? many[i % 6]!.keyId : 'unknown', sig: junk.signatures[0]!.sig })) };
    expect(() => verifyEnvelope(flood, ring, { at })).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID', message: expect.stringContaining(`within ${MAX_SIGNATURE_CHECKS_PER_ENVELOPE} signature checks`) }));
    expect(verifyCalls()).toBe(MAX_SIGNATURE_CHECKS_PER_ENVELOPE);
  });

  it('costs one verification when the hint names the signing key, and finds a wrongly hinted one among the valid keys', () => {
    const last = many.at(-1)!;
    expect(verifyEnvelope(signEnvelope(payload, TYPE, last), ring, { at }).keyIds).toEqual([last.keyId]);
    expect(verifyCalls()).toBe(1);
    vi.mocked(nodeCrypto.verify).mockClear();
    expect(verifyEnvelope(signEnvelope(payload, TYPE, { keyId: 'foreign', privateKey: last.privateKey }), ring, { at }).keyIds).toEqual([last.keyId]);
    expect(verifyCalls()).toBe(many.length);
  });
});
