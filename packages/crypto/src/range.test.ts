import { describe, expect, it } from 'vitest';
import { CryptoError } from './errors.js';
import { inclusionProofFromHashes, leafHash, merkleRootFromHashes } from './merkle.js';
import { compactRangeNodes, proveAppendedLeaves } from './range.js';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`)));
const subtreeHash = (hashes: Uint8Array[], start: number, level: number) => merkleRootFromHashes(hashes.slice(start, start + 2 ** level));

describe('compactRangeNodes', () => {
  it('covers [0, size) with one perfect subtree per set bit, largest first', () => {
    expect(compactRangeNodes(0)).toEqual([]);
    expect(compactRangeNodes(13)).toEqual([
      { level: 3, start: 0 },
      { level: 2, start: 8 },
      { level: 0, start: 12 },
    ]);
    expect(() => compactRangeNodes(-1)).toThrow(CryptoError);
  });
});

describe('proveAppendedLeaves', () => {
  const all = leaves(70);
  it('gives the same root and proofs as the whole tree, for every split of a 1..70 leaf tree', () => {
    for (let size = 1; size <= all.length; size++) {
      const tree = all.slice(0, size);
      for (let first = 0; first < size; first++) {
        const range = compactRangeNodes(first).map((n) => subtreeHash(tree, n.start, n.level));
        const { root, proofs } = proveAppendedLeaves(first, range, tree.slice(first));
        expect(Buffer.from(root).equals(Buffer.from(merkleRootFromHashes(tree)))).toBe(true);
        proofs.forEach((proof, i) => expect(proof.map((h) => Buffer.from(h).toString('hex'))).toEqual(inclusionProofFromHashes(first + i, tree).map((h) => Buffer.from(h).toString('hex'))));
      }
    }
  });

  it('yields a different root when any compact range hash or leaf is changed', () => {
    const range = compactRangeNodes(45).map((n) => subtreeHash(all, n.start, n.level));
    const good = proveAppendedLeaves(45, range, all.slice(45)).root;
    const badRange = range.map((h, i) => (i === 1 ? leafHash(new Uint8Array([1])) : h));
    expect(Buffer.from(proveAppendedLeaves(45, badRange, all.slice(45)).root).equals(Buffer.from(good))).toBe(false);
    const badLeaves = all.slice(45).map((h, i) => (i === 3 ? leafHash(new Uint8Array([2])) : h));
    expect(Buffer.from(proveAppendedLeaves(45, range, badLeaves).root).equals(Buffer.from(good))).toBe(false);
  });

  it('refuses a compact range of the wrong length, short hashes and an empty run', () => {
    const range = compactRangeNodes(45).map((n) => subtreeHash(all, n.start, n.level));
    expect(() => proveAppendedLeaves(45, range.slice(1), all.slice(45))).toThrow(/compact range of 45 leaves has 4 hashes, got 3/);
    expect(() => proveAppendedLeaves(45, range, [new Uint8Array(31)])).toThrow(/32 bytes/);
    expect(() => proveAppendedLeaves(45, range, [])).toThrow(/no appended leaves/);
  });
});
