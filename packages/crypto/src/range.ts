/**
 * Proofs for a run of leaves appended to a log, computed by whoever receives
 * the run rather than by the log: the log sends the compact range of the tree
 * before the run (the ≤ log2(n) perfect subtrees covering leaves [0, first),
 * left to right) and the run's leaf hashes; from those alone the receiver gets
 * the root of the tree of size first + run length, and every new leaf's RFC
 * 6962 inclusion proof in it. The root is then compared with a signed
 * checkpoint, which authenticates the whole run at once.
 */
import { CryptoError } from './errors.js';
import { HASH_SIZE, nodeHash, splitPoint } from './merkle.js';

/** One perfect subtree of a compact range: leaves [start, start + 2^level). */
export interface CompactRangeNode {
  level: number;
  start: number;
}

/** The perfect subtrees covering leaves [0, size), left to right: one per set bit of `size`. */
export function compactRangeNodes(size: number): CompactRangeNode[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new CryptoError('TREE_RANGE_INVALID', `tree size ${size} is not a non-negative safe integer`);
  const nodes: CompactRangeNode[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      nodes.push({ level, start });
      start += width;
    }
  }
  return nodes;
}

export interface AppendedLeafProofs {
  /** Root of the tree of size first + leafHashes.length. */
  root: Uint8Array;
  /** Inclusion proof of each appended leaf in that tree, in leaf order. */
  proofs: Uint8Array[][];
}

/**
 * The root after appending `leafHashes` at index `first`, and each appended
 * leaf's inclusion proof, from the compact range of [0, first) (hashes in the
 * order of `compactRangeNodes(first)`). Proofs equal `inclusionProof` over the
 * whole tree; the work is O(run + log n) hashes, not a walk of the log.
 */
export function proveAppendedLeaves(first: number, compactRange: readonly Uint8Array[], leafHashes: readonly Uint8Array[]): AppendedLeafProofs {
  const nodes = compactRangeNodes(first);
  if (compactRange.length !== nodes.length) {
    throw new CryptoError('TREE_RANGE_INVALID', `the compact range of ${first} leaves has ${nodes.length} hashes, got ${compactRange.length}`);
  }
  if (leafHashes.length === 0) throw new CryptoError('TREE_RANGE_INVALID', 'no appended leaves to prove');
  for (const hash of [...compactRange, ...leafHashes]) {
    if (!(hash instanceof Uint8Array) || hash.byteLength !== HASH_SIZE) throw new CryptoError('TREE_RANGE_INVALID', `hashes must be ${HASH_SIZE} bytes`);
  }
  const size = first + leafHashes.length;
  const known = new Map<string, Uint8Array>();
  nodes.forEach((node, i) => known.set(`${node.start}:${node.start + 2 ** node.level}`, compactRange[i]!));

  // MTH(D[lo:hi]) of RFC 6962: subtrees left of `first` come from the compact range, the others are hashed once.
  const subtree = (lo: number, hi: number): Uint8Array => {
    const key = `${lo}:${hi}`;
    const cached = known.get(key);
    if (cached) return cached;
    let hash: Uint8Array;
    if (lo >= first && hi - lo === 1) hash = leafHashes[lo - first]!;
    else if (hi <= first) throw new CryptoError('TREE_RANGE_INVALID', `subtree [${lo}, ${hi}) is not in the compact range of ${first}`);
    else {
      const k = splitPoint(hi - lo);
      hash = nodeHash(subtree(lo, lo + k), subtree(lo + k, hi));
    }
    known.set(key, hash);
    return hash;
  };

  const root = subtree(0, size);
  const proofs = leafHashes.map((_, i) => {
    const proof: Uint8Array[] = [];
    // PATH(m, D[lo:hi]) from the leaf's sibling upwards: collect top-down, then reverse.
    let lo = 0;
    let hi = size;
    const m = first + i;
    while (hi - lo > 1) {
      const k = splitPoint(hi - lo);
      if (m < lo + k) {
        proof.push(subtree(lo + k, hi));
        hi = lo + k;
      } else {
        proof.push(subtree(lo, lo + k));
        lo += k;
      }
    }
    return proof.reverse();
  });
  return { root, proofs };
}
