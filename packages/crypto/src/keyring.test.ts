import { describe, expect, it } from 'vitest';
import { Keyring, generateSigningKey, isKeyValidAt, selectSigningKey, trustedKeyFor, type TrustedKey } from './index.js';

const d = (iso: string) => new Date(iso);

describe('Keyring and validity windows', () => {
  const old = generateSigningKey('notary-2024');
  const current = generateSigningKey('notary-2025');
  const keyring = new Keyring([
    trustedKeyFor(old, { notBefore: d('2024-01-01T00:00:00Z'), notAfter: d('2025-01-01T00:00:00Z'), purpose: 'notary' }),
    trustedKeyFor(current, { notBefore: d('2025-01-01T00:00:00Z'), purpose: 'notary' }),
  ]);

  it('treats notBefore and notAfter as inclusive bounds', () => {
    const k = keyring.get(old.keyId)!;
    expect(isKeyValidAt(k, d('2023-12-31T23:59:59.999Z'))).toBe(false);
    expect(isKeyValidAt(k, d('2024-01-01T00:00:00Z'))).toBe(true);
    expect(isKeyValidAt(k, d('2025-01-01T00:00:00Z'))).toBe(true);
    expect(isKeyValidAt(k, d('2025-01-01T00:00:00.001Z'))).toBe(false);
    expect(isKeyValidAt(k, new Date(Number.NaN))).toBe(false);
  });

  it('selects the newest key valid at signing time (rotation)', () => {
    expect(selectSigningKey([old, current], keyring, d('2024-06-01T00:00:00Z')).keyId).toBe(old.keyId);
    expect(selectSigningKey([old, current], keyring, d('2025-06-01T00:00:00Z')).keyId).toBe(current.keyId);
    // On the overlap instant both are valid; the one that entered service last wins.
    expect(selectSigningKey([current, old], keyring, d('2025-01-01T00:00:00Z')).keyId).toBe(current.keyId);
    expect(() => selectSigningKey([old, current], keyring, d('2023-06-01T00:00:00Z'))).toThrow(expect.objectContaining({ code: 'KEY_NOT_VALID_AT_TIME' }));
    expect(() => selectSigningKey([old], keyring, d('2025-06-01T00:00:00Z'))).toThrow(expect.objectContaining({ code: 'KEY_NOT_VALID_AT_TIME' }));
  });

  it('explains why a key cannot be used', () => {
    expect(() => keyring.require('00'.repeat(32), d('2024-06-01T00:00:00Z'))).toThrow(expect.objectContaining({ code: 'KEY_UNKNOWN' }));
    expect(() => keyring.require(old.keyId, d('2026-01-01T00:00:00Z'))).toThrow(expect.objectContaining({ code: 'KEY_NOT_VALID_AT_TIME' }));
    expect(() => keyring.require(old.keyId, d('2024-06-01T00:00:00Z'), { purpose: 'emitter' })).toThrow(expect.objectContaining({ code: 'KEY_UNKNOWN' }));
    expect(keyring.require(old.keyId, d('2024-06-01T00:00:00Z'), { purpose: 'notary' }).keyId).toBe(old.keyId);
  });

  it('isolates tenant-bound keys', () => {
    const a = generateSigningKey('tenant-a-emitter');
    const ring = new Keyring([trustedKeyFor(a, { notBefore: d('2024-01-01T00:00:00Z'), purpose: 'emitter', tenant: 'a' })]);
    const at = d('2024-06-01T00:00:00Z');
    expect(ring.require(a.keyId, at, { tenant: 'a' }).keyId).toBe(a.keyId);
    expect(() => ring.require(a.keyId, at, { tenant: 'b' })).toThrow(expect.objectContaining({ code: 'KEY_UNKNOWN' }));
    expect(ring.validAt(at, { tenant: 'b' })).toEqual([]);
  });

  it('takes keys under whatever key id they were registered with, and refuses inconsistent key material', () => {
    const k = generateSigningKey('x');
    const base: TrustedKey = trustedKeyFor(k, { notBefore: d('2024-01-01T00:00:00Z') });
    // Another tool's key id scheme (securesystemslib: SHA-256 of the key's canonical JSON) is just a name for the key.
    const foreign = new Keyring([{ ...base, keyId: 'ab'.repeat(32) }]);
    expect(foreign.get('ab'.repeat(32))?.publicKey).toEqual(k.publicKeyRaw);
    for (const keyId of ['', 'a\nb', 'x'.repeat(257), 42 as unknown as string]) {
      expect(() => new Keyring([{ ...base, keyId }])).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    }
    expect(() => new Keyring([base, base])).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => new Keyring([{ ...base, notAfter: d('2023-01-01T00:00:00Z') }])).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => new Keyring([{ ...base, publicKey: new Uint8Array(31) }])).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});
