export { CryptoError } from './errors.js';
export type { CryptoErrorCode } from './errors.js';

export { sha256, sha256Hex, toHex, fromHex, toBase64, fromBase64, bytesEqual } from './encoding.js';

export {
  HASH_SIZE,
  leafHash,
  nodeHash,
  emptyRoot,
  splitPoint,
  merkleRoot,
  merkleRootFromHashes,
  inclusionProof,
  inclusionProofFromHashes,
  consistencyProof,
  consistencyProofFromHashes,
  rootFromInclusionProof,
  verifyInclusion,
  verifyInclusionByHash,
  verifyConsistency,
} from './merkle.js';

export { compactRangeNodes, proveAppendedLeaves } from './range.js';
export type { CompactRangeNode, AppendedLeafProofs } from './range.js';

export { storedHashIndex, storedHashCount, storedHashesForRecord, treeHash, proveRecord, proveTree } from './tlog.js';
export type { HashReader } from './tlog.js';

export {
  keyIdFor,
  generateSigningKey,
  signingKeyFromPrivateKey,
  rawPublicKey,
  privateKeySeed,
  publicKeyFromRaw,
  privateKeyFromSeed,
  exportPrivateKeyPem,
  importPrivateKeyPem,
  exportPublicKeyPem,
  importPublicKeyPem,
  exportPublicKeyBase64,
  importPublicKeyBase64,
} from './keys.js';
export type { SigningKey } from './keys.js';

export { Keyring, MAX_KEY_ID_LENGTH, isKeyValidAt, keyMatchesFilter, trustedKeyFor, selectSigningKey } from './keyring.js';
export type { TrustedKey, KeyPurpose, KeyFilter } from './keyring.js';

export { MAX_SIGNATURE_CHECKS_PER_ENVELOPE, preAuthEncoding, signEnvelope, addSignature, parseEnvelope, verifyEnvelope, verifyDetachedEnvelope } from './dsse.js';
export type { Envelope, EnvelopeSignature, EnvelopeSigner, VerifyEnvelopeOptions, VerifiedEnvelope } from './dsse.js';

export {
  noteKeyHash,
  isValidKeyName,
  formatVerifierKey,
  parseVerifierKey,
  formatSignerKey,
  parseSignerKey,
  signNote,
  parseNote,
  openNote,
} from './note.js';
export type { NoteVerifier, NoteSigner, NoteSignature, OpenedNote, ParsedNote, ParsedNoteSignature, SignedNoteInput } from './note.js';

export { formatCheckpoint, parseCheckpoint, parseSignedCheckpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.js';
export type { Checkpoint, CheckpointKeys, VerifyCheckpointOptions } from './checkpoint.js';
