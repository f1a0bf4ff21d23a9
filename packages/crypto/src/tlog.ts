/**
 * Storage-backed, append-only Merkle log using the stored-hash layout of Go's
 * golang.org/x/mod/sumdb/tlog, so the notary can keep one append-only file of
 * 32-byte hashes (about two per leaf) and answer root, inclusion and
 * consistency queries for millions of leaves with O(log n) reads.
 *
 * Layout: the hash of the complete subtree at `level` covering leaves
 * [n·2^level, (n+1)·2^level) lives at `storedHashIndex(level, n)`. Leaf n's
 * hash is followed by the hashes of every subtree that leaf completes. The
 * indexes are identical to Go's, so a file written here can be served by
 * Go's tlog and vice versa. Proofs equal the RFC 6962 proofs in merkle.ts.
 *
 * Integers are JS numbers (exact up to 2^53), with no 32-bit bit operations.
 */
import { CryptoError } from './errors.js';
import { HASH_SIZE, emptyRoot, nodeHash } from './merkle.js';

/** Returns the stored hashes at the given indexes, in the same order. Synchronous by design: proofs need few reads. */
export type HashReader = (indexes: number[]) => Uint8Array[];

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function assertRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CryptoError('TREE_RANGE_INVALID', `${name} ${value} is outside [${min}, ${max}]`);
  }
}

/** Index in the stored-hash file of the level-`level` hash number `n`. */
export function storedHashIndex(level: number, n: number): number {
  assertRange('level', level, 0, 62);
  assertRange('hash number', n, 0, Number.MAX_SAFE_INTEGER);
  // Level L's n'th hash is written right after level L+1's 2n+1'th hash;
  // walk down to level 0, whose n'th hash sits at n + n/2 + n/4 + ...
  let m = n;
  for (let l = level; l > 0; l--) m = 2 * m + 1;
  let i = 0;
  for (; m > 0; m = half(m)) i += m;
  return i + level;
}

/** Number of stored hashes for a log of n leaves (the file length in hashes). */
export function storedHashCount(n: number): number {
  assertRange('tree size', n, 0, Number.MAX_SAFE_INTEGER);
  if (n === 0) return 0;
  let count = storedHashIndex(0, n - 1) + 1;
  for (let i = n - 1; odd(i); i = half(i)) count++;
  return count;
}

function readChecked(read: HashReader, indexes: number[]): Uint8Array[] {
  if (indexes.length === 0) return [];
  const hashes = read(indexes);
  if (!Array.isArray(hashes) || hashes.length !== indexes.length) {
    throw new CryptoError('HASH_READER_INVALID', `hash reader returned ${Array.isArray(hashes) ? hashes.length : typeof hashes} hashes for ${indexes.length} indexes`);
  }
  for (const h of hashes) {
    if (!(h instanceof Uint8Array) || h.byteLength !== HASH_SIZE) {
      throw new CryptoError('HASH_READER_INVALID', `hash reader returned a value that is not a ${HASH_SIZE}-byte hash`);
    }
  }
  return hashes;
}

/**
 * The hashes to append to storage when leaf n (0-based) with hash `leafHashValue`
 * is added: the leaf hash itself, then one hash per subtree it completes.
 * `read` must serve the hashes stored for leaves 0..n-1.
 */
export function storedHashesForRecord(n: number, leafHashValue: Uint8Array, read: HashReader): Uint8Array[] {
  assertRange('leaf index', n, 0, Number.MAX_SAFE_INTEGER - 1);
  if (!(leafHashValue instanceof Uint8Array) || leafHashValue.byteLength !== HASH_SIZE) {
    throw new CryptoError('ENCODING_INVALID', `leaf hash must be ${HASH_SIZE} bytes`);
  }
  // Each trailing 1 bit of n completes a subtree, consuming the stored hash of its left sibling.
  let completed = 0;
  for (let x = n; odd(x); x = half(x)) completed++;
  const indexes = new Array<number>(completed);
  for (let i = 0, shifted = n; i < completed; i++, shifted = half(shifted)) {
    indexes[completed - 1 - i] = storedHashIndex(i, shifted - 1);
  }
  const siblings = readChecked(read, indexes);
  const out = [leafHashValue];
  let h = leafHashValue;
  for (let i = 0; i < completed; i++) {
    h = nodeHash(siblings[completed - 1 - i]!, h);
    out.push(h);
  }
  return out;
}

/** Largest power of two strictly below n (n ≥ 2) and its exponent. */
function maxPow2(n: number): { k: number; level: number } {
  let k = 1;
  let level = 0;
  while (k * 2 < n) {
    k *= 2;
    level++;
  }
  return { k, level };
}

/** Stored-hash indexes of the complete subtrees that make up leaves [lo, hi), left to right. */
function subTreeIndex(lo: number, hi: number, need: number[]): void {
  while (lo < hi) {
    const { k, level } = maxPow2(hi - lo + 1);
    need.push(storedHashIndex(level, lo / k));
    lo += k;
  }
}

/** Consumes hashes in the order subTreeIndex listed them. */
class HashCursor {
  private pos = 0;
  constructor(private readonly hashes: Uint8Array[]) {}

  subTreeHash(lo: number, hi: number): Uint8Array {
    const parts: Uint8Array[] = [];
    while (lo < hi) {
      const { k } = maxPow2(hi - lo + 1);
      parts.push(this.hashes[this.pos++]!);
      lo += k;
    }
    // Subtrees of an incomplete range fold from the right, as RFC 6962's split does.
    let h = parts[parts.length - 1]!;
    for (let i = parts.length - 2; i >= 0; i--) h = nodeHash(parts[i]!, h);
    return h;
  }
}

/** Root hash of the log's first n leaves (SHA-256("") for n = 0). */
export function treeHash(n: number, read: HashReader): Uint8Array {
  assertRange('tree size', n, 0, Number.MAX_SAFE_INTEGER);
  if (n === 0) return emptyRoot();
  const indexes: number[] = [];
  subTreeIndex(0, n, indexes);
  return new HashCursor(readChecked(read, indexes)).subTreeHash(0, n);
}

function leafProofIndex(lo: number, hi: number, n: number, need: number[]): void {
  if (lo + 1 === hi) return;
  const { k } = maxPow2(hi - lo);
  if (n < lo + k) {
    leafProofIndex(lo, lo + k, n, need);
    subTreeIndex(lo + k, hi, need);
  } else {
    subTreeIndex(lo, lo + k, need);
    leafProofIndex(lo + k, hi, n, need);
  }
}

function leafProof(lo: number, hi: number, n: number, cursor: HashCursor, out: Uint8Array[]): void {
  if (lo + 1 === hi) return;
  const { k } = maxPow2(hi - lo);
  if (n < lo + k) {
    leafProof(lo, lo + k, n, cursor, out);
    out.push(cursor.subTreeHash(lo + k, hi));
  } else {
    const left = cursor.subTreeHash(lo, lo + k);
    leafProof(lo + k, hi, n, cursor, out);
    out.push(left);
  }
}

/** Inclusion proof of leaf n in the tree of size t; equals inclusionProof(n, leaves[0:t]). */
export function proveRecord(t: number, n: number, read: HashReader): Uint8Array[] {
  assertRange('tree size', t, 1, Number.MAX_SAFE_INTEGER);
  assertRange('leaf index', n, 0, t - 1);
  const indexes: number[] = [];
  leafProofIndex(0, t, n, indexes);
  const out: Uint8Array[] = [];
  leafProof(0, t, n, new HashCursor(readChecked(read, indexes)), out);
  return out;
}

function treeProofIndex(lo: number, hi: number, n: number, need: number[]): void {
  if (n === hi) {
    // lo = 0 means we are still on the old tree's left spine: the verifier has that root already.
    if (lo !== 0) subTreeIndex(lo, hi, need);
    return;
  }
  const { k } = maxPow2(hi - lo);
  if (n <= lo + k) {
    treeProofIndex(lo, lo + k, n, need);
    subTreeIndex(lo + k, hi, need);
  } else {
    subTreeIndex(lo, lo + k, need);
    treeProofIndex(lo + k, hi, n, need);
  }
}

function treeProof(lo: number, hi: number, n: number, cursor: HashCursor, out: Uint8Array[]): void {
  if (n === hi) {
    if (lo !== 0) out.push(cursor.subTreeHash(lo, hi));
    return;
  }
  const { k } = maxPow2(hi - lo);
  if (n <= lo + k) {
    treeProof(lo, lo + k, n, cursor, out);
    out.push(cursor.subTreeHash(lo + k, hi));
  } else {
    const left = cursor.subTreeHash(lo, lo + k);
    treeProof(lo + k, hi, n, cursor, out);
    out.push(left);
  }
}

/**
 * Consistency proof that the tree of size n is a prefix of the tree of size t
 * (argument order as in Go's tlog.ProveTree); equals consistencyProof(n, leaves[0:t]).
 * Empty when n is 0 or n equals t.
 */
export function proveTree(t: number, n: number, read: HashReader): Uint8Array[] {
  assertRange('tree size', t, 0, Number.MAX_SAFE_INTEGER);
  assertRange('old tree size', n, 0, t);
  if (n === 0 || n === t) return [];
  const indexes: number[] = [];
  treeProofIndex(0, t, n, indexes);
  const out: Uint8Array[] = [];
  treeProof(0, t, n, new HashCursor(readChecked(read, indexes)), out);
  return out;
}
