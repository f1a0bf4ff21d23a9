import { HASH_SIZE, storedHashCount, storedHashesForRecord, type HashReader } from '@probity/crypto';
import { AuditApiError } from '../errors.js';

/**
 * One shard's Merkle log in memory, in Go tlog's stored-hash layout: about
 * two 32-byte hashes per leaf in one growing buffer. Built once from the
 * leaves and extended incrementally; after that, roots and proofs for any
 * tree size up to `size` read O(log n) hashes.
 */
export class StoredHashes {
  private buffer = Buffer.alloc(HASH_SIZE * 1024);
  private hashCount = 0;
  private leafCount = 0;

  /** Leaves appended so far. */
  get size(): number {
    return this.leafCount;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.hashCount * HASH_SIZE;
  }

  readonly read: HashReader = (indexes) =>
    indexes.map((i) => {
      if (!Number.isSafeInteger(i) || i < 0 || i >= this.hashCount) {
        throw new AuditApiError('INTERNAL', `stored hash ${i} is beyond the ${this.hashCount} held`);
      }
      return this.buffer.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
    });

  /** Appends leaf hashes (leaf `size`, `size + 1`, …). */
  append(leafHashes: Buffer, count: number): void {
    if (leafHashes.length !== count * HASH_SIZE) throw new AuditApiError('INTERNAL', 'leaf hash buffer length does not match its count');
    this.reserve(storedHashCount(this.leafCount + count));
    for (let i = 0; i < count; i++) {
      const hashes = storedHashesForRecord(this.leafCount, leafHashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE), this.read);
      for (const h of hashes) {
        this.buffer.set(h, this.hashCount * HASH_SIZE);
        this.hashCount++;
      }
      this.leafCount++;
    }
  }

  private reserve(hashes: number): void {
    const needed = hashes * HASH_SIZE;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.alloc(capacity);
    this.buffer.copy(grown, 0, 0, this.hashCount * HASH_SIZE);
    this.buffer = grown;
  }
}
