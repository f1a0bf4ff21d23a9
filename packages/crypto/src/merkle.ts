/**
 * RFC 6962 / RFC 9162 Merkle tree over SHA-256, as pure functions.
 *
 * leaf hash  = SHA-256(0x00 || leaf bytes)
 * node hash  = SHA-256(0x01 || left || right)
 * empty tree = SHA-256("")
 *
 * The generators here recompute subtrees from the leaves and are meant for
 * tests, small trees and independent re-verification; the notary's log uses
 * the stored-hash layout in tlog.ts, whose proofs are byte-identical.
 * Verifiers never throw: any malformed input is simply "does not verify".
 */
import { createHash } from 'node:crypto';
import { asBytes, bytesEqual, sha256 } from './encoding.js';
import { CryptoError } from './errors.js';

export const HASH_SIZE = 32;

// Reused input buffers: hashing is synchronous, so no call can observe another's bytes.
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;
const leafInput = new Uint8Array(4096);
const LEAF_PREFIX = new Uint8Array([0x00]);

export function leafHash(leaf: Uint8Array): Uint8Array {
  if (leaf.byteLength >= leafInput.byteLength) {
    // Large leaves stream through a Hash object rather than being copied.
    return asBytes(createHash('sha256').update(LEAF_PREFIX).update(leaf).digest());
  }
  leafInput[0] = 0x00;
  leafInput.set(leaf, 1);
  return sha256(leafInput.subarray(0, leaf.byteLength + 1));
}

/** Takes any byte strings, but tree nodes are always 32-byte hashes. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.byteLength !== HASH_SIZE || right.byteLength !== HASH_SIZE) {
    const input = new Uint8Array(1 + left.byteLength + right.byteLength);
    input[0] = 0x01;
    input.set(left, 1);
    input.set(right, 1 + left.byteLength);
    return sha256(input);
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

/** Root of the tree with no leaves: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** Largest power of two strictly less than n (n ≥ 2), the RFC's "k". */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function subtreeRoot(hashes: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return hashes[lo]!;
  const k = splitPoint(hi - lo);
  return nodeHash(subtreeRoot(hashes, lo, lo + k), subtreeRoot(hashes, lo + k, hi));
}

export function merkleRootFromHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  return leafHashes.length === 0 ? emptyRoot() : subtreeRoot(leafHashes, 0, leafHashes.length);
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return merkleRootFromHashes(leaves.map(leafHash));
}

function assertSize(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CryptoError('TREE_RANGE_INVALID', `${name} ${value} is outside [${min}, ${max}]`);
  }
}

/** RFC 6962 PATH(m, D[lo:hi]), ordered from the leaf's sibling up to the root's child. */
function path(hashes: readonly Uint8Array[], m: number, lo: number, hi: number, out: Uint8Array[]): void {
  if (hi - lo === 1) return;
  const k = splitPoint(hi - lo);
  if (m < k) {
    path(hashes, m, lo, lo + k, out);
    out.push(subtreeRoot(hashes, lo + k, hi));
  } else {
    path(hashes, m - k, lo + k, hi, out);
    out.push(subtreeRoot(hashes, lo, lo + k));
  }
}

export function inclusionProofFromHashes(index: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  assertSize('leaf index', index, 0, leafHashes.length - 1);
  const out: Uint8Array[] = [];
  path(leafHashes, index, 0, leafHashes.length, out);
  return out;
}

export function inclusionProof(index: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  return inclusionProofFromHashes(index, leaves.map(leafHash));
}

/** RFC 6962 SUBPROOF(m, D[lo:hi], b). */
function subproof(hashes: readonly Uint8Array[], m: number, lo: number, hi: number, complete: boolean, out: Uint8Array[]): void {
  const n = hi - lo;
  if (m === n) {
    if (!complete) out.push(subtreeRoot(hashes, lo, hi));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(hashes, m, lo, lo + k, complete, out);
    out.push(subtreeRoot(hashes, lo + k, hi));
  } else {
    subproof(hashes, m - k, lo + k, hi, false, out);
    out.push(subtreeRoot(hashes, lo, lo + k));
  }
}

/** Proof that the first oldSize leaves are a prefix of all leafHashes; empty when oldSize is 0 or the full size. */
export function consistencyProofFromHashes(oldSize: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  assertSize('old tree size', oldSize, 0, leafHashes.length);
  const out: Uint8Array[] = [];
  if (oldSize > 0 && oldSize < leafHashes.length) subproof(leafHashes, oldSize, 0, leafHashes.length, true, out);
  return out;
}

export function consistencyProof(oldSize: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  return consistencyProofFromHashes(oldSize, leaves.map(leafHash));
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === HASH_SIZE;
}

function allHashes(list: unknown): list is Uint8Array[] {
  return Array.isArray(list) && list.every(isHash);
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * The root an inclusion proof implies (RFC 9162 §2.1.3.2), or undefined when
 * the proof has the wrong length for (index, size).
 */
export function rootFromInclusionProof(leafHashValue: Uint8Array, index: number, size: number, proof: readonly Uint8Array[]): Uint8Array | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  if (!isHash(leafHashValue) || !allHashes(proof)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leafHashValue;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

/** Inclusion check when the caller already holds the leaf hash (the notary stores leaf hashes, not leaves). */
export function verifyInclusionByHash(leafHashValue: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  const computed = rootFromInclusionProof(leafHashValue, index, size, proof);
  return computed !== undefined && isHash(root) && bytesEqual(computed, root);
}

export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  return leaf instanceof Uint8Array && verifyInclusionByHash(leafHash(leaf), index, size, proof, root);
}

/**
 * RFC 9162 §2.1.4.2. Stricter than RFC 9162 on one point: for oldSize 0 the
 * old root must be the empty-tree root, because any other value claimed for
 * an empty log is false.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !allHashes(proof)) return false;
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0 && bytesEqual(oldRoot, emptyRoot());
  if (proof.length === 0) return false;

  // When the old tree is a complete subtree its root is the path's starting point.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}
