/**
 * Trusted public keys with validity windows, as plain data plus lookups.
 *
 * A signature made at time T verifies only with a key whose window contains
 * T: notBefore ≤ T ≤ notAfter (both inclusive, as in X.509; no notAfter means
 * still in service). Rotating a key = giving the old one a notAfter and adding
 * a new one; old signatures keep verifying as long as the caller passes the
 * time they were made.
 */
import { CryptoError } from './errors.js';
import { publicKeyFromRaw, type SigningKey } from './keys.js';

export type KeyPurpose = 'notary' | 'emitter';

/** Longest key id a keyring takes (securesystemslib's are 64 hex digits, ours too). */
export const MAX_KEY_ID_LENGTH = 256;
const CONTROL = /[\u0000-\u001F\u007F]/;

export interface TrustedKey {
  /**
   * The id the key was registered under: ours (`keyIdFor`, SHA-256 of the raw
   * key) or the emitter's own scheme (securesystemslib hashes its key's JSON).
   * A DSSE `keyid` is only a hint to find it; it never selects a key the
   * filter (tenant, purpose) excludes.
   */
  keyId: string;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  notBefore: Date;
  notAfter?: Date;
  purpose?: KeyPurpose;
  tenant?: string;
}

export interface KeyFilter {
  purpose?: KeyPurpose;
  /** Keys bound to another tenant are excluded; keys with no tenant serve all tenants. */
  tenant?: string;
}

export function isKeyValidAt(key: TrustedKey, at: Date): boolean {
  const t = at.getTime();
  if (Number.isNaN(t)) return false;
  return key.notBefore.getTime() <= t && (key.notAfter === undefined || t <= key.notAfter.getTime());
}

export function keyMatchesFilter(key: TrustedKey, filter: KeyFilter): boolean {
  if (filter.purpose !== undefined && key.purpose !== filter.purpose) return false;
  if (filter.tenant !== undefined && key.tenant !== undefined && key.tenant !== filter.tenant) return false;
  return true;
}

function validateTrustedKey(key: TrustedKey): TrustedKey {
  if (typeof key.keyId !== 'string' || key.keyId === '' || key.keyId.length > MAX_KEY_ID_LENGTH || CONTROL.test(key.keyId)) {
    throw new CryptoError('KEY_INVALID', `key id must be 1 to ${MAX_KEY_ID_LENGTH} characters without control characters`);
  }
  try {
    publicKeyFromRaw(key.publicKey);
  } catch (cause) {
    throw new CryptoError('KEY_INVALID', `key ${key.keyId}: not a raw 32-byte Ed25519 public key`, { cause });
  }
  if (!(key.notBefore instanceof Date) || Number.isNaN(key.notBefore.getTime())) {
    throw new CryptoError('KEY_INVALID', `key ${key.keyId}: notBefore is not a valid Date`);
  }
  if (key.notAfter !== undefined && (!(key.notAfter instanceof Date) || key.notAfter.getTime() < key.notBefore.getTime())) {
    throw new CryptoError('KEY_INVALID', `key ${key.keyId}: notAfter must be a Date not before notBefore`);
  }
  return Object.freeze({ ...key, publicKey: new Uint8Array(key.publicKey) });
}

export class Keyring {
  readonly keys: readonly TrustedKey[];
  private readonly byId: ReadonlyMap<string, TrustedKey>;

  constructor(keys: readonly TrustedKey[]) {
    const checked = keys.map(validateTrustedKey);
    const byId = new Map<string, TrustedKey>();
    for (const key of checked) {
      if (byId.has(key.keyId)) throw new CryptoError('KEY_INVALID', `key ${key.keyId} listed twice`);
      byId.set(key.keyId, key);
    }
    this.keys = Object.freeze(checked);
    this.byId = byId;
  }

  get(keyId: string): TrustedKey | undefined {
    return this.byId.get(keyId);
  }

  /** The key a signature made at `at` may be checked with, or a typed error saying why not. */
  require(keyId: string, at: Date, filter: KeyFilter = {}): TrustedKey {
    const key = this.byId.get(keyId);
    if (key === undefined || !keyMatchesFilter(key, filter)) {
      throw new CryptoError('KEY_UNKNOWN', `no trusted key with id ${keyId}${describeFilter(filter)}`);
    }
    if (!isKeyValidAt(key, at)) {
      throw new CryptoError('KEY_NOT_VALID_AT_TIME', `key ${keyId} is valid from ${key.notBefore.toISOString()} to ${key.notAfter?.toISOString() ?? 'open end'}, not at ${describeTime(at)}`);
    }
    return key;
  }

  validAt(at: Date, filter: KeyFilter = {}): TrustedKey[] {
    return this.keys.filter((k) => isKeyValidAt(k, at) && keyMatchesFilter(k, filter));
  }
}

/** " for purpose P, tenant T", for messages (package-internal). */
export function describeFilter(filter: KeyFilter): string {
  const parts = [filter.purpose && `purpose ${filter.purpose}`, filter.tenant && `tenant ${filter.tenant}`].filter(Boolean);
  return parts.length ? ` for ${parts.join(', ')}` : '';
}

function describeTime(at: Date): string {
  return Number.isNaN(at.getTime()) ? 'an invalid date' : at.toISOString();
}

export function trustedKeyFor(key: Pick<SigningKey, 'keyId' | 'publicKeyRaw'>, window: Omit<TrustedKey, 'keyId' | 'publicKey'>): TrustedKey {
  return { keyId: key.keyId, publicKey: key.publicKeyRaw, ...window };
}

/**
 * Rotation: of the signing keys whose window contains `at`, the one that
 * entered service last signs. Throws KEY_NOT_VALID_AT_TIME when none is valid.
 */
export function selectSigningKey<K extends { keyId: string }>(candidates: readonly K[], keyring: Keyring, at: Date, filter: KeyFilter = {}): K {
  let best: { key: K; notBefore: number } | undefined;
  for (const candidate of candidates) {
    const trusted = keyring.get(candidate.keyId);
    if (trusted === undefined || !keyMatchesFilter(trusted, filter) || !isKeyValidAt(trusted, at)) continue;
    const nb = trusted.notBefore.getTime();
    if (best === undefined || nb > best.notBefore) best = { key: candidate, notBefore: nb };
  }
  if (best === undefined) {
    throw new CryptoError('KEY_NOT_VALID_AT_TIME', `none of ${candidates.length} signing keys is valid at ${describeTime(at)}${describeFilter(filter)}`);
  }
  return best.key;
}
