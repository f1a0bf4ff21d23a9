import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  exportPrivateKeyPem,
  exportPublicKeyBase64,
  exportPublicKeyPem,
  fromHex,
  generateSigningKey,
  importPrivateKeyPem,
  importPublicKeyBase64,
  importPublicKeyPem,
  keyIdFor,
  privateKeyFromSeed,
  privateKeySeed,
  publicKeyFromRaw,
  rawPublicKey,
  sha256Hex,
} from './index.js';

describe('Ed25519 signing keys', () => {
  it('derives the key id as lowercase hex SHA-256 of the raw public key', () => {
    const key = generateSigningKey('notary-1');
    expect(key.publicKeyRaw.byteLength).toBe(32);
    expect(key.keyId).toBe(sha256Hex(key.publicKeyRaw));
    expect(key.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(keyIdFor(key.publicKeyRaw)).toBe(key.keyId);
    expect(key.name).toBe('notary-1');
  });

  it('matches RFC 8032 test 1: seed → public key', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const pub = rawPublicKey(createPublicKey(privateKeyFromSeed(seed)));
    expect(Buffer.from(pub).toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(privateKeySeed(privateKeyFromSeed(seed))).toEqual(seed);
  });

  it('round-trips private keys through PKCS#8 PEM and public keys through SPKI PEM and raw base64', () => {
    const key = generateSigningKey('emitter');
    const pem = exportPrivateKeyPem(key.privateKey);
    expect(pem).toContain('BEGIN PRIVATE KEY');
    const again = importPrivateKeyPem('emitter', pem);
    expect(again.keyId).toBe(key.keyId);

    const spki = exportPublicKeyPem(key.publicKey);
    expect(spki).toContain('BEGIN PUBLIC KEY');
    expect(importPublicKeyPem(spki)).toEqual(key.publicKeyRaw);
    expect(importPublicKeyBase64(exportPublicKeyBase64(key.publicKeyRaw))).toEqual(key.publicKeyRaw);

    const msg = new TextEncoder().encode('hello');
    const sig = sign(null, msg, again.privateKey);
    expect(verify(null, msg, publicKeyFromRaw(key.publicKeyRaw), sig)).toBe(true);
  });

  it('rejects malformed keys with KEY_INVALID or ENCODING_INVALID', () => {
    expect(() => keyIdFor(new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => importPrivateKeyPem('x', 'not a pem')).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => importPublicKeyPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => importPublicKeyBase64('AAAA')).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => importPublicKeyBase64('not base64!')).toThrow(expect.objectContaining({ code: 'ENCODING_INVALID' }));
    const key = generateSigningKey('k');
    expect(() => rawPublicKey(key.privateKey)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});
