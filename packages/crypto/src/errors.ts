import { ProbityError } from '@probity/errors';

/**
 * Every failure @probity/crypto reports on purpose. Callers and tests match on
 * `code`; messages are for humans and never contain key material.
 */
export type CryptoErrorCode =
  /** Hex, base64, or a fixed-size byte field that does not decode. */
  | 'ENCODING_INVALID'
  /** A key that cannot be parsed or whose parts disagree (wrong size, key id or key hash mismatch). */
  | 'KEY_INVALID'
  /** No trusted key has the key id (or note name and key hash) a signature names. */
  | 'KEY_UNKNOWN'
  /** The key is trusted but its validity window does not contain the signing time. */
  | 'KEY_NOT_VALID_AT_TIME'
  /** A signature made by a trusted key does not verify, or too few signatures do. */
  | 'SIGNATURE_INVALID'
  /** A DSSE envelope whose structure is not exactly the DSSE v1 JSON shape. */
  | 'ENVELOPE_MALFORMED'
  /** A signed note that does not follow https://c2sp.org/signed-note. */
  | 'NOTE_MALFORMED'
  /** A well-formed note that no known verifier key signed. */
  | 'NOTE_UNVERIFIED'
  /** A checkpoint body that does not follow https://c2sp.org/tlog-checkpoint. */
  | 'CHECKPOINT_MALFORMED'
  /** A tree size, leaf index or level outside the log (asking for a proof of leaf 9 in a tree of 5). */
  | 'TREE_RANGE_INVALID'
  /** A stored-hash reader that returned the wrong number of hashes or hashes of the wrong size. */
  | 'HASH_READER_INVALID';

export class CryptoError extends ProbityError<CryptoErrorCode> {}
