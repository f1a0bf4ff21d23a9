import { describe, expect, it } from 'vitest';
import {
  consistencyProofFromHashes,
  inclusionProofFromHashes,
  leafHash,
  merkleRootFromHashes,
  proveRecord,
  proveTree,
  storedHashCount,
  storedHashIndex,
  storedHashesForRecord,
  treeHash,
  verifyConsistency,
  verifyInclusionByHash,
  toHex,
  type HashReader,
} from './index.js';

// Compared as hex text: vitest's deep equality on byte arrays is slow at this volume.
const hex = (v: Uint8Array | Uint8Array[]): string => (Array.isArray(v) ? v.map(toHex).join(',') : toHex(v));

/** An append-only in-memory stand-in for the notary's stored-hash file. */
class MemoryLog {
  readonly stored: Uint8Array[] = [];
  readonly leafHashes: Uint8Array[] = [];
  reads = 0;
  readonly read: HashReader = (indexes) => {
    this.reads++;
    return indexes.map((i) => {
      const h = this.stored[i];
      if (h === undefined) throw new Error(`read past end: ${i} of ${this.stored.length}`);
      return h;
    });
  };

  append(leaf: Uint8Array): void {
    const h = leafHash(leaf);
    this.stored.push(...storedHashesForRecord(this.leafHashes.length, h, this.read));
    this.leafHashes.push(h);
  }
}

function buildLog(n: number): MemoryLog {
  const log = new MemoryLog();
  for (let i = 0; i < n; i++) log.append(new TextEncoder().encode(`record ${i}`));
  return log;
}

describe('stored-hash log (Go tlog layout)', () => {
  it('lays out hashes as Go tlog does', () => {
    // leaf0 leaf1 H(0,1) leaf2 leaf3 H(2,3) H(0..3) leaf4 leaf5 H(4,5) ...
    expect([0, 1, 2, 3, 4, 5].map((n) => storedHashIndex(0, n))).toEqual([0, 1, 3, 4, 7, 8]);
    expect([0, 1, 2].map((n) => storedHashIndex(1, n))).toEqual([2, 5, 9]);
    expect(storedHashIndex(2, 0)).toBe(6);
    expect([0, 1, 2, 3, 4, 5, 8].map(storedHashCount)).toEqual([0, 1, 3, 4, 7, 8, 15]);
  });

  it('gives roots and proofs identical to the pure RFC 6962 functions for every size up to 300', () => {
    const log = buildLog(300);
    // Every (index, size) and (old, size) pair up to 80 leaves; above that a
    // stride plus the edges, because the pure generators cost O(n) per proof.
    const positions = (size: number): number[] =>
      size <= 64 ? Array.from({ length: size + 1 }, (_, i) => i) : [...new Set([0, 1, 2, size - 2, size - 1, size, ...Array.from({ length: Math.ceil(size / 37) }, (_, i) => i * 37)])];
    for (let size = 0; size <= 300; size++) {
      const hashes = log.leafHashes.slice(0, size);
      expect(hex(treeHash(size, log.read))).toBe(hex(merkleRootFromHashes(hashes)));
      for (const n of positions(size).filter((n) => n < size)) {
        expect(hex(proveRecord(size, n, log.read))).toBe(hex(inclusionProofFromHashes(n, hashes)));
      }
      for (const old of positions(size)) {
        expect(hex(proveTree(size, old, log.read))).toBe(hex(consistencyProofFromHashes(old, hashes)));
      }
    }
    expect(log.stored.length).toBe(storedHashCount(300));
  });

  it('stays consistent with the pure functions on larger, irregular sizes', () => {
    const sizes = [1023, 1024, 1025, 4097, 20_000];
    const log = buildLog(20_000);
    expect(log.stored.length).toBe(storedHashCount(20_000));
    for (const size of sizes) {
      const hashes = log.leafHashes.slice(0, size);
      const root = treeHash(size, log.read);
      expect(hex(root)).toBe(hex(merkleRootFromHashes(hashes)));
      for (const n of [0, 1, Math.floor(size / 3), size - 2, size - 1]) {
        const proof = proveRecord(size, n, log.read);
        expect(hex(proof)).toBe(hex(inclusionProofFromHashes(n, hashes)));
        expect(verifyInclusionByHash(log.leafHashes[n]!, n, size, proof, root)).toBe(true);
      }
      for (const old of [1, 7, 1000, size - 1]) {
        const proof = proveTree(size, old, log.read);
        expect(hex(proof)).toBe(hex(consistencyProofFromHashes(old, hashes)));
        expect(verifyConsistency(old, size, treeHash(old, log.read), root, proof)).toBe(true);
      }
    }
  });

  it('answers each query with a single read of O(log n) hashes', () => {
    const log = buildLog(5000);
    const sizes: number[] = [];
    const read: HashReader = (indexes) => {
      sizes.push(indexes.length);
      return log.read(indexes);
    };
    treeHash(4999, read);
    proveRecord(4999, 1234, read);
    proveTree(4999, 3001, read);
    expect(sizes.length).toBe(3);
    for (const n of sizes) expect(n).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(5000)) + 1);
  });

  it('rejects bad arguments and misbehaving readers with typed errors', () => {
    const log = buildLog(10);
    expect(() => proveRecord(10, 10, log.read)).toThrow(expect.objectContaining({ code: 'TREE_RANGE_INVALID' }));
    expect(() => proveTree(5, 6, log.read)).toThrow(expect.objectContaining({ code: 'TREE_RANGE_INVALID' }));
    expect(() => treeHash(-1, log.read)).toThrow(expect.objectContaining({ code: 'TREE_RANGE_INVALID' }));
    expect(() => storedHashIndex(0, 1.5)).toThrow(expect.objectContaining({ code: 'TREE_RANGE_INVALID' }));
    expect(() => treeHash(10, () => [])).toThrow(expect.objectContaining({ code: 'HASH_READER_INVALID' }));
    expect(() => treeHash(10, (ix) => ix.map(() => new Uint8Array(31)))).toThrow(expect.objectContaining({ code: 'HASH_READER_INVALID' }));
    expect(() => storedHashesForRecord(10, new Uint8Array(5), log.read)).toThrow(expect.objectContaining({ code: 'ENCODING_INVALID' }));
  });
});
