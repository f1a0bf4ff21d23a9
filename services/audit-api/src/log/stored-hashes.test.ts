import { describe, expect, it } from 'vitest';
import { consistencyProofFromHashes, inclusionProofFromHashes, merkleRootFromHashes, proveRecord, proveTree, sha256, treeHash } from '@probity/crypto';
import { StoredHashes } from './stored-hashes.js';

describe('StoredHashes', () => {
  it('gives the same roots and proofs as the plain RFC 6962 functions, however it was grown', () => {
    const leaves = Array.from({ length: 77 }, (_, i) => sha256(Buffer.from(`leaf ${i}`)));
    const hashes = new StoredHashes();
    for (const [start, end] of [[0, 1], [1, 6], [6, 40], [40, 77]] as const) {
      hashes.append(Buffer.concat(leaves.slice(start, end)), end - start);
    }
    expect(hashes.size).toBe(77);
    for (const size of [1, 2, 5, 32, 33, 77]) {
      expect(Buffer.from(treeHash(size, hashes.read))).toEqual(Buffer.from(merkleRootFromHashes(leaves.slice(0, size))));
      for (const index of [0, size - 1, Math.floor(size / 2)]) {
        expect(proveRecord(size, index, hashes.read).map((h) => Buffer.from(h))).toEqual(inclusionProofFromHashes(index, leaves.slice(0, size)).map((h) => Buffer.from(h)));
      }
      expect(proveTree(77, size, hashes.read).map((h) => Buffer.from(h))).toEqual(consistencyProofFromHashes(size, leaves).map((h) => Buffer.from(h)));
    }
  });

  it('refuses a buffer whose length does not match the count', () => {
    expect(() => new StoredHashes().append(Buffer.alloc(40), 1)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});
