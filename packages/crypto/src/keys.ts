/**
 * Ed25519 signing keys with key ids, through node:crypto only.
 *
 * Our key id = lowercase hex SHA-256 of the raw 32-byte public key: derived,
 * so anyone holding the public key can recompute it. Keys registered from
 * other tools may carry their own ids (see TrustedKey.keyId).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { asBytes, fromBase64, sha256Hex, toBase64 } from './encoding.js';
import { CryptoError } from './errors.js';

export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SEED_SIZE = 32;

// DER prefixes of an Ed25519 SPKI public key and PKCS#8 private key (RFC 8410);
// the raw 32 bytes follow directly.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface SigningKey {
  /** Human name: the signed-note key name, and a label in logs. */
  name: string;
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyRaw: Uint8Array;
}

/** Lowercase hex SHA-256 of the raw 32-byte Ed25519 public key. */
export function keyIdFor(publicKeyRaw: Uint8Array): string {
  assertRawSize(publicKeyRaw, ED25519_PUBLIC_KEY_SIZE, 'public key');
  return sha256Hex(publicKeyRaw);
}

function assertRawSize(bytes: Uint8Array, size: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== size) {
    throw new CryptoError('KEY_INVALID', `Ed25519 ${what} must be ${size} raw bytes`);
  }
}

function assertEd25519(key: KeyObject, type: 'private' | 'public'): void {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new CryptoError('KEY_INVALID', `expected an Ed25519 ${type} key, got ${key.asymmetricKeyType ?? 'unknown'} ${key.type}`);
  }
}

export function rawPublicKey(publicKey: KeyObject): Uint8Array {
  assertEd25519(publicKey, 'public');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return asBytes(der.subarray(SPKI_PREFIX.length));
}

/** The 32-byte seed an Ed25519 private key is derived from (Go's ed25519.PrivateKey.Seed()). */
export function privateKeySeed(privateKey: KeyObject): Uint8Array {
  assertEd25519(privateKey, 'private');
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  return asBytes(der.subarray(PKCS8_PREFIX.length));
}

export function publicKeyFromRaw(publicKeyRaw: Uint8Array): KeyObject {
  assertRawSize(publicKeyRaw, ED25519_PUBLIC_KEY_SIZE, 'public key');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKeyRaw]), format: 'der', type: 'spki' });
}

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  assertRawSize(seed, ED25519_SEED_SIZE, 'seed');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function signingKeyFromPrivateKey(name: string, privateKey: KeyObject): SigningKey {
  assertEd25519(privateKey, 'private');
  const publicKey = createPublicKey(privateKey);
  const publicKeyRaw = rawPublicKey(publicKey);
  return { name, keyId: keyIdFor(publicKeyRaw), privateKey, publicKey, publicKeyRaw };
}

export function generateSigningKey(name: string): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signingKeyFromPrivateKey(name, privateKey);
}

export function exportPrivateKeyPem(privateKey: KeyObject): string {
  assertEd25519(privateKey, 'private');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function importPrivateKeyPem(name: string, pem: string): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new CryptoError('KEY_INVALID', 'not a PKCS#8 PEM private key', { cause });
  }
  return signingKeyFromPrivateKey(name, key);
}

export function exportPublicKeyPem(publicKey: KeyObject): string {
  assertEd25519(publicKey, 'public');
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Raw 32-byte public key from an SPKI PEM. */
export function importPublicKeyPem(pem: string): Uint8Array {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new CryptoError('KEY_INVALID', 'not an SPKI PEM public key', { cause });
  }
  return rawPublicKey(key);
}

export function exportPublicKeyBase64(publicKeyRaw: Uint8Array): string {
  assertRawSize(publicKeyRaw, ED25519_PUBLIC_KEY_SIZE, 'public key');
  return toBase64(publicKeyRaw);
}

export function importPublicKeyBase64(text: string): Uint8Array {
  const raw = fromBase64(text);
  assertRawSize(raw, ED25519_PUBLIC_KEY_SIZE, 'public key');
  return raw;
}
