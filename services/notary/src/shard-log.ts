import { mkdirSync, openSync, closeSync, fstatSync, readSync, writeSync, fsyncSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { compactRangeNodes, storedHashCount, storedHashIndex, storedHashesForRecord, treeHash } from '@probity/crypto';
import { HashSet32 } from './hash-set.js';
import { NotaryError } from './errors.js';

const HASH = 32;
/** leaves.bin holds, per leaf, the record's content hash then the leaf hash. */
const LEAF_ENTRY = 64;

/**
 * One shard of the Merkle log on local disk, in Go's tlog stored-hash layout
 * (`hashes.bin`: ≈2 hashes per leaf, enough for any root or proof in O(log n)
 * reads) plus `leaves.bin` (content hash + leaf hash per leaf, for dedupe and
 * for rebuilding). Both files are append-only; the only other change is
 * truncation back to the last *committed* size after a failed transaction or a
 * crash, which is what keeps the log free of forks: the committed size and
 * root travel atomically with the Kafka offsets.
 *
 * The stored hashes are mirrored in memory (32 bytes × ~2 per leaf) so roots
 * and compact ranges for a batch cost no I/O; a shard of 10⁷ leaves needs ~640 MiB.
 */
export class ShardLog {
  private hashesFd: number;
  private leavesFd: number;
  private hashes: Buffer;
  private hashCount = 0;
  private leafCount = 0;
  private contentHashes = new HashSet32(1 << 16);
  private leafEntries: Buffer;

  private constructor(readonly shard: number, readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.hashesFd = openSync(path.join(dir, 'hashes.bin'), 'a+');
    this.leavesFd = openSync(path.join(dir, 'leaves.bin'), 'a+');
    this.hashes = Buffer.alloc(HASH * 1024);
    this.leafEntries = Buffer.alloc(LEAF_ENTRY * 1024);
  }

  static open(dataDir: string, shard: number): ShardLog {
    const log = new ShardLog(shard, path.join(dataDir, 'notary', 'shards', String(shard)));
    log.loadFromDisk();
    return log;
  }

  get size(): number {
    return this.leafCount;
  }

  hasContent(contentHash: Uint8Array): boolean {
    return this.contentHashes.has(contentHash);
  }

  /** Append leaves in memory and on disk (not yet fsynced). Returns the first new index. */
  append(leaves: readonly { contentHash: Uint8Array; leafHash: Uint8Array }[]): number {
    const first = this.leafCount;
    const newHashes: Uint8Array[] = [];
    for (const leaf of leaves) {
      if (!this.contentHashes.add(leaf.contentHash)) {
        throw new NotaryError('LOG_INVARIANT', `shard ${this.shard}: content hash appended twice`);
      }
      const stored = storedHashesForRecord(this.leafCount, leaf.leafHash, (indexes) => indexes.map((i) => this.readHash(i)));
      for (const h of stored) {
        this.pushHash(h);
        newHashes.push(h);
      }
      this.pushLeafEntry(leaf.contentHash, leaf.leafHash);
      this.leafCount += 1;
    }
    writeAll(this.hashesFd, Buffer.concat(newHashes));
    writeAll(this.leavesFd, this.leafEntries.subarray(first * LEAF_ENTRY, this.leafCount * LEAF_ENTRY));
    return first;
  }

  /** Make everything appended so far durable: one fsync per file per batch. */
  sync(): void {
    fsyncSync(this.hashesFd);
    fsyncSync(this.leavesFd);
  }

  root(size = this.leafCount): Uint8Array {
    return treeHash(size, (indexes) => indexes.map((i) => this.readHash(i)));
  }

  /** The perfect subtree hashes covering leaves [0, size), left to right: stored hashes, no hashing. */
  compactRange(size: number): Uint8Array[] {
    if (size > this.leafCount) throw new NotaryError('LOG_INVARIANT', `shard ${this.shard}: no compact range of ${size} leaves (${this.leafCount})`);
    return compactRangeNodes(size).map(({ level, start }) => this.readHash(storedHashIndex(level, start / 2 ** level)));
  }

  leafHash(index: number): Uint8Array {
    if (index < 0 || index >= this.leafCount) throw new NotaryError('LOG_INVARIANT', `shard ${this.shard}: no leaf ${index}`);
    return this.leafEntries.subarray(index * LEAF_ENTRY + HASH, index * LEAF_ENTRY + LEAF_ENTRY);
  }

  /** Drop every leaf at or beyond `size` (uncommitted work of a failed or crashed batch). */
  truncate(size: number): void {
    if (size > this.leafCount) throw new NotaryError('LOG_INVARIANT', `shard ${this.shard}: cannot truncate ${this.leafCount} leaves up to ${size}`);
    if (size === this.leafCount) return;
    this.leafCount = size;
    this.hashCount = storedHashCount(size);
    ftruncateSync(this.hashesFd, this.hashCount * HASH);
    ftruncateSync(this.leavesFd, size * LEAF_ENTRY);
    fsyncSync(this.hashesFd);
    fsyncSync(this.leavesFd);
    this.rebuildContentIndex();
  }

  /** Replace the whole shard with leaves fetched elsewhere (partition moved to this instance). */
  rebuild(leaves: readonly { contentHash: Uint8Array; leafHash: Uint8Array }[]): void {
    ftruncateSync(this.hashesFd, 0);
    ftruncateSync(this.leavesFd, 0);
    this.hashCount = 0;
    this.leafCount = 0;
    this.contentHashes.clear();
    for (let i = 0; i < leaves.length; i += 10_000) this.append(leaves.slice(i, i + 10_000));
    this.sync();
  }

  close(): void {
    closeSync(this.hashesFd);
    closeSync(this.leavesFd);
  }

  private loadFromDisk(): void {
    const leafBytes = fstatSync(this.leavesFd).size;
    const leaves = Math.floor(leafBytes / LEAF_ENTRY);
    const expectedHashes = storedHashCount(leaves);
    const hashBytes = fstatSync(this.hashesFd).size;
    if (hashBytes < expectedHashes * HASH) {
      // A crash between the two appends: keep the leaves whose stored hashes are complete.
      let usable = leaves;
      while (usable > 0 && storedHashCount(usable) * HASH > hashBytes) usable -= 1;
      this.readFiles(usable);
      this.truncateFiles(usable);
      return;
    }
    this.readFiles(leaves);
    this.truncateFiles(leaves);
  }

  private readFiles(leaves: number): void {
    const hashCount = storedHashCount(leaves);
    this.ensureHashCapacity(hashCount);
    this.ensureLeafCapacity(leaves);
    readExactly(this.hashesFd, this.hashes, hashCount * HASH);
    readExactly(this.leavesFd, this.leafEntries, leaves * LEAF_ENTRY);
    this.hashCount = hashCount;
    this.leafCount = leaves;
    this.rebuildContentIndex();
  }

  private truncateFiles(leaves: number): void {
    ftruncateSync(this.hashesFd, storedHashCount(leaves) * HASH);
    ftruncateSync(this.leavesFd, leaves * LEAF_ENTRY);
  }

  private rebuildContentIndex(): void {
    this.contentHashes = new HashSet32(Math.max(1 << 16, this.leafCount * 2));
    for (let i = 0; i < this.leafCount; i += 1) this.contentHashes.add(this.leafEntries.subarray(i * LEAF_ENTRY, i * LEAF_ENTRY + HASH));
  }

  private readHash(index: number): Uint8Array {
    if (index >= this.hashCount) throw new NotaryError('LOG_INVARIANT', `shard ${this.shard}: stored hash ${index} not present (${this.hashCount})`);
    return this.hashes.subarray(index * HASH, index * HASH + HASH);
  }

  private pushHash(hash: Uint8Array): void {
    this.ensureHashCapacity(this.hashCount + 1);
    this.hashes.set(hash, this.hashCount * HASH);
    this.hashCount += 1;
  }

  private pushLeafEntry(contentHash: Uint8Array, leafHash: Uint8Array): void {
    this.ensureLeafCapacity(this.leafCount + 1);
    this.leafEntries.set(contentHash, this.leafCount * LEAF_ENTRY);
    this.leafEntries.set(leafHash, this.leafCount * LEAF_ENTRY + HASH);
  }

  private ensureHashCapacity(count: number): void {
    if (count * HASH <= this.hashes.length) return;
    const next = Buffer.alloc(Math.max(count * HASH, this.hashes.length * 2));
    this.hashes.copy(next, 0, 0, this.hashCount * HASH);
    this.hashes = next;
  }

  private ensureLeafCapacity(count: number): void {
    if (count * LEAF_ENTRY <= this.leafEntries.length) return;
    const next = Buffer.alloc(Math.max(count * LEAF_ENTRY, this.leafEntries.length * 2));
    this.leafEntries.copy(next, 0, 0, this.leafCount * LEAF_ENTRY);
    this.leafEntries = next;
  }
}

function writeAll(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}

function readExactly(fd: number, target: Buffer, length: number): void {
  let read = 0;
  while (read < length) {
    const n = readSync(fd, target, read, length - read, read);
    if (n === 0) throw new NotaryError('LOG_INVARIANT', 'log file shorter than expected');
    read += n;
  }
}
