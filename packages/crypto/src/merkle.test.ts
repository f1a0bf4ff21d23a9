import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  emptyRoot,
  fromHex,
  inclusionProof,
  leafHash,
  merkleRoot,
  merkleRootFromHashes,
  nodeHash,
  sha256,
  toHex,
  verifyConsistency,
  verifyInclusion,
  verifyInclusionByHash,
} from './index.js';

// RFC 6962 test vectors as published in transparency-dev/merkle (proof/verify_test.go)
// and google/certificate-transparency: eight leaves and the roots of their prefixes.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf index (0-based), tree size, proof]
const INCLUSION_VECTORS: [number, number, string[]][] = [
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];
// [old size, new size, proof]
const CONSISTENCY_VECTORS: [number, number, string[]][] = [
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [6, 7, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
];

function leavesOf(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => new TextEncoder().encode(`leaf-${i}`));
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at % copy.length]! ^= 0x01;
  return copy;
}

describe('RFC 6962 Merkle tree', () => {
  it('matches the published roots for every prefix of the 8-leaf vector tree', () => {
    for (let n = 1; n <= 8; n++) expect(toHex(merkleRoot(LEAVES.slice(0, n)))).toBe(ROOTS[n - 1]);
    expect(toHex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(emptyRoot()).toEqual(merkleRoot([]));
  });

  it('hashes leaves and nodes with the RFC 6962 domain prefixes', () => {
    expect(toHex(leafHash(new Uint8Array(0)))).toBe(ROOTS[0]);
    expect(merkleRoot(LEAVES.slice(0, 2))).toEqual(nodeHash(leafHash(LEAVES[0]!), leafHash(LEAVES[1]!)));
    expect(merkleRootFromHashes(LEAVES.map(leafHash))).toEqual(merkleRoot(LEAVES));
    // Large leaves take a different code path; the hash must not depend on it.
    const big = Uint8Array.from({ length: 10_000 }, (_, i) => i & 0xff);
    expect(leafHash(big)).toEqual(sha256(Uint8Array.from([0, ...big])));
    expect(leafHash(big.subarray(0, 4095))).toEqual(sha256(Uint8Array.from([0, ...big.subarray(0, 4095)])));
  });

  it.each(INCLUSION_VECTORS)('produces and verifies the published inclusion proof of leaf %i in size %i', (index, size, proofHex) => {
    const leaves = LEAVES.slice(0, size);
    expect(inclusionProof(index, leaves).map(toHex)).toEqual(proofHex);
    expect(verifyInclusion(LEAVES[index]!, index, size, proofHex.map(fromHex), fromHex(ROOTS[size - 1]!))).toBe(true);
  });

  it.each(CONSISTENCY_VECTORS)('produces and verifies the published consistency proof %i → %i', (oldSize, newSize, proofHex) => {
    expect(consistencyProof(oldSize, LEAVES.slice(0, newSize)).map(toHex)).toEqual(proofHex);
    expect(verifyConsistency(oldSize, newSize, fromHex(ROOTS[oldSize - 1]!), fromHex(ROOTS[newSize - 1]!), proofHex.map(fromHex))).toBe(true);
  });

  it('verifies every inclusion proof for all trees up to 64 leaves and rejects every corruption', () => {
    const all = leavesOf(64);
    let checked = 0;
    for (let size = 1; size <= 64; size++) {
      const leaves = all.slice(0, size);
      const root = merkleRoot(leaves);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, leaves);
        const leaf = leaves[index]!;
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
        expect(verifyInclusionByHash(leafHash(leaf), index, size, proof, root)).toBe(true);
        // Wrong position, wrong size, wrong leaf, wrong root.
        if (index + 1 < size) expect(verifyInclusion(leaf, index + 1, size, proof, root)).toBe(false);
        if (index > 0) expect(verifyInclusion(leaf, index - 1, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size * 2, proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaf, index, Math.floor(size / 2), proof, root)).toBe(false);
        expect(verifyInclusion(flipped(new Uint8Array([...leaf]), index), index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, flipped(root, index))).toBe(false);
        // Every flipped byte in every proof node.
        for (let p = 0; p < proof.length; p++) {
          const bad = proof.map((h, i) => (i === p ? flipped(h, index + p) : h));
          expect(verifyInclusion(leaf, index, size, bad, root)).toBe(false);
        }
        // Truncated, extended.
        if (proof.length > 0) expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, [...proof, root], root)).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe((64 * 65) / 2);
  });

  it('verifies every consistency proof for all size pairs up to 64 leaves and rejects every corruption', () => {
    const all = leavesOf(64);
    const roots = Array.from({ length: 65 }, (_, n) => merkleRoot(all.slice(0, n)));
    for (let newSize = 0; newSize <= 64; newSize++) {
      const leaves = all.slice(0, newSize);
      for (let oldSize = 0; oldSize <= newSize; oldSize++) {
        const proof = consistencyProof(oldSize, leaves);
        const [oldRoot, newRoot] = [roots[oldSize]!, roots[newSize]!];
        expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof)).toBe(true);
        if (oldSize === 0 || oldSize === newSize) {
          expect(proof).toEqual([]);
          continue;
        }
        expect(verifyConsistency(oldSize, newSize, newRoot, oldRoot, proof)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, flipped(oldRoot, 3), newRoot, proof)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, flipped(newRoot, 5), proof)).toBe(false);
        expect(verifyConsistency(oldSize - 1, newSize, oldRoot, newRoot, proof)).toBe(false);
        if (oldSize + 1 < newSize) expect(verifyConsistency(oldSize + 1, newSize, oldRoot, newRoot, proof)).toBe(false);
        expect(verifyConsistency(oldSize, newSize * 2, oldRoot, newRoot, proof)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, [])).toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.slice(0, -1))).toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, [...proof, oldRoot])).toBe(false);
        for (let p = 0; p < proof.length; p++) {
          const bad = proof.map((h, i) => (i === p ? flipped(h, p + oldSize) : h));
          expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, bad)).toBe(false);
        }
      }
    }
  });

  it('binds the tree size only through the root: same-shape sizes share a proof', () => {
    // Leaf 0's path in trees of 3 and 4 leaves has the same shape (two right
    // siblings), so a size-4 proof also "verifies" when size 3 is claimed
    // with the size-4 root. This is why sizes must come from a signed
    // checkpoint together with the root, never from the proof's sender alone.
    const leaves = leavesOf(4);
    const proof = inclusionProof(0, leaves);
    expect(verifyInclusion(leaves[0]!, 0, 3, proof, merkleRoot(leaves))).toBe(true);
    expect(verifyInclusion(leaves[0]!, 0, 3, proof, merkleRoot(leaves.slice(0, 3)))).toBe(false);
  });

  it('treats impossible arguments as "does not verify" and rejects out-of-range proof requests', () => {
    const leaves = leavesOf(5);
    const root = merkleRoot(leaves);
    const proof = inclusionProof(2, leaves);
    expect(verifyInclusion(leaves[2]!, -1, 5, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[2]!, 5, 5, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[2]!, 2.5, 5, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[2]!, 2, 5, proof, root.subarray(1))).toBe(false);
    expect(verifyInclusion(leaves[2]!, 2, 5, [...proof.slice(0, -1), new Uint8Array(31)], root)).toBe(false);
    expect(verifyConsistency(0, 5, root, root, [])).toBe(false); // an empty log's root is SHA-256("")
    expect(verifyConsistency(0, 5, emptyRoot(), root, [])).toBe(true);
    expect(verifyConsistency(3, 2, root, root, [])).toBe(false);
    expect(() => inclusionProof(5, leaves)).toThrow(expect.objectContaining({ code: 'TREE_RANGE_INVALID' }));
    expect(() => inclusionProof(0, [])).toThrow(expect.objectContaining({ code: 'TREE_RANGE_INVALID' }));
    expect(() => consistencyProof(6, leaves)).toThrow(expect.objectContaining({ code: 'TREE_RANGE_INVALID' }));
  });
});
