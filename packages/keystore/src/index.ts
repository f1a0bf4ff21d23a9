export { NotaryKeyStore, parsePublicKeyring, publicKeyringPath, toTrustedKeys } from './notary-keys.js';
export type { PublicKeyring, PublicKeyEntry } from './notary-keys.js';
export { KeystoreError } from './errors.js';
export type { KeystoreErrorCode } from './errors.js';
