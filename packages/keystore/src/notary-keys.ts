import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Keyring,
  exportPrivateKeyPem,
  exportPublicKeyBase64,
  formatVerifierKey,
  generateSigningKey,
  importPrivateKeyPem,
  importPublicKeyBase64,
  selectSigningKey,
  type SigningKey,
  type TrustedKey,
} from '@probity/crypto';
import { KeystoreError } from './errors.js';

/** One public key of the notary as verifiers see it. */
export interface PublicKeyEntry {
  name: string;
  keyId: string;
  /** Raw Ed25519 public key, base64. */
  publicKey: string;
  /** Go `note` verifier key: `name+hash+base64(0x01||key)`. */
  verifierKey: string;
  notBefore: string;
  notAfter?: string;
}

/** The public keyring file: everything a verifier needs, and nothing secret. */
export interface PublicKeyring {
  keys: PublicKeyEntry[];
}

export function publicKeyringPath(keysDir: string): string {
  return path.join(keysDir, 'keyring.json');
}

export function parsePublicKeyring(json: unknown, source: string): PublicKeyring {
  const keys = (json as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new KeystoreError('KEYRING_INVALID', `${source}: expected {"keys": [...]}`);
  for (const [i, key] of keys.entries()) {
    for (const field of ['name', 'keyId', 'publicKey', 'notBefore'] as const) {
      if (typeof (key as Record<string, unknown>)?.[field] !== 'string') throw new KeystoreError('KEYRING_INVALID', `${source}: keys[${i}].${field} must be a string`);
    }
  }
  return { keys: keys as PublicKeyEntry[] };
}

export function toTrustedKeys(keyring: PublicKeyring): TrustedKey[] {
  return keyring.keys.map((k) => ({
    keyId: k.keyId,
    publicKey: importPublicKeyBase64(k.publicKey),
    notBefore: new Date(k.notBefore),
    ...(k.notAfter ? { notAfter: new Date(k.notAfter) } : {}),
    purpose: 'notary' as const,
  }));
}

/**
 * The notary's Ed25519 keys on disk: `keyring.json` (public, shipped to
 * verifiers and served by the audit API) and one `<keyId>.pem` per private key
 * (mode 0600). Rotation adds a key and closes the previous key's window at the
 * same instant; the notary re-reads the directory when `keyring.json` changes,
 * so rotation needs no restart, and retired keys stay in the keyring so old
 * checkpoints keep verifying.
 */
export class NotaryKeyStore {
  private keyring: PublicKeyring = { keys: [] };
  private signers = new Map<string, SigningKey>();
  private loadedMtimeMs = -1;

  constructor(readonly keysDir: string, private readonly keyName: string = 'probity-notary') {}

  /** Load the keys, creating a first key when the directory is empty. */
  openOrCreate(now = new Date()): this {
    mkdirSync(this.keysDir, { recursive: true, mode: 0o700 });
    if (!existsSync(publicKeyringPath(this.keysDir))) this.addKey(now, []);
    this.reload();
    return this;
  }

  /** Add a key valid from `at` and close the window of every open key at `at`. */
  rotate(at = new Date()): PublicKeyEntry {
    this.reload();
    const closed = this.keyring.keys.map((k) => (k.notAfter ? k : { ...k, notAfter: at.toISOString() }));
    return this.addKey(at, closed);
  }

  publicKeyring(): PublicKeyring {
    this.reloadIfChanged();
    return this.keyring;
  }

  trustedKeys(): TrustedKey[] {
    return toTrustedKeys(this.publicKeyring());
  }

  /** The key that signs now: of the keys valid now, the one that entered service last. */
  signingKeyAt(at: Date): SigningKey {
    this.reloadIfChanged();
    const keyring = new Keyring(this.trustedKeys());
    try {
      return selectSigningKey([...this.signers.values()], keyring, at);
    } catch (err) {
      throw new KeystoreError('NO_VALID_KEY', `no notary key in ${this.keysDir} is valid at ${at.toISOString()}; run \`probity keys rotate\``, { cause: err });
    }
  }

  private addKey(at: Date, existing: PublicKeyEntry[]): PublicKeyEntry {
    const key = generateSigningKey(this.keyName);
    const pemPath = path.join(this.keysDir, `${key.keyId}.pem`);
    writeFileSync(pemPath, exportPrivateKeyPem(key.privateKey), { mode: 0o600 });
    chmodSync(pemPath, 0o600);
    const entry: PublicKeyEntry = {
      name: key.name,
      keyId: key.keyId,
      publicKey: exportPublicKeyBase64(key.publicKeyRaw),
      verifierKey: formatVerifierKey(key.name, key.publicKeyRaw),
      notBefore: at.toISOString(),
    };
    const file = publicKeyringPath(this.keysDir);
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ keys: [...existing, entry] }, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    return entry;
  }

  private reloadIfChanged(): void {
    const mtimeMs = statSync(publicKeyringPath(this.keysDir)).mtimeMs;
    if (mtimeMs !== this.loadedMtimeMs) this.reload();
  }

  private reload(): void {
    const file = publicKeyringPath(this.keysDir);
    const mtimeMs = statSync(file).mtimeMs;
    const keyring = parsePublicKeyring(JSON.parse(readFileSync(file, 'utf8')), file);
    const signers = new Map<string, SigningKey>();
    for (const entry of keyring.keys) {
      const pemPath = path.join(this.keysDir, `${entry.keyId}.pem`);
      // Retired keys may have had their private half destroyed; only verification needs them.
      if (!existsSync(pemPath)) continue;
      const signer = importPrivateKeyPem(entry.name, readFileSync(pemPath, 'utf8'));
      if (signer.keyId !== entry.keyId) throw new KeystoreError('KEYRING_INVALID', `${pemPath} holds key ${signer.keyId}, not ${entry.keyId}`);
      signers.set(entry.keyId, signer);
    }
    this.keyring = keyring;
    this.signers = signers;
    this.loadedMtimeMs = mtimeMs;
  }
}
