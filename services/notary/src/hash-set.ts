/**
 * A compact set of 32-byte hashes for deduplication: open addressing over one
 * Buffer, 32 bytes per slot, no per-entry objects. Ten million hashes cost
 * ~640 MiB in a JS Set of hex strings and ~512 MiB here at worst load, ~32 bytes
 * × capacity in general; lookups touch one or two cache lines.
 */
export class HashSet32 {
  private slots: Buffer;
  private capacity: number;
  private count = 0;
  private static readonly EMPTY = Buffer.alloc(32);

  constructor(initialCapacity = 1024) {
    this.capacity = nextPowerOfTwo(Math.max(16, initialCapacity));
    this.slots = Buffer.alloc(this.capacity * 32);
  }

  get size(): number {
    return this.count;
  }

  has(hash: Uint8Array): boolean {
    return this.find(hash) >= 0;
  }

  /** Adds the hash; returns false when it was already present. */
  add(hash: Uint8Array): boolean {
    if (hash.length !== 32) throw new RangeError('HashSet32 holds 32-byte hashes');
    if (isZero(hash)) throw new RangeError('the all-zero hash is reserved as the empty slot');
    if ((this.count + 1) * 10 > this.capacity * 7) this.grow();
    const slot = this.probe(hash);
    if (slot.found) return false;
    this.slots.set(hash, slot.index * 32);
    this.count += 1;
    return true;
  }

  clear(): void {
    this.slots.fill(0);
    this.count = 0;
  }

  private find(hash: Uint8Array): number {
    const slot = this.probe(hash);
    return slot.found ? slot.index : -1;
  }

  private probe(hash: Uint8Array): { index: number; found: boolean } {
    const mask = this.capacity - 1;
    // SHA-256 output is uniform: its first 4 bytes are a good hash already.
    let index = ((hash[0]! << 24) | (hash[1]! << 16) | (hash[2]! << 8) | hash[3]!) >>> 0;
    index &= mask;
    for (;;) {
      const offset = index * 32;
      if (this.slots.compare(HashSet32.EMPTY, 0, 32, offset, offset + 32) === 0) return { index, found: false };
      if (Buffer.compare(this.slots.subarray(offset, offset + 32), hash) === 0) return { index, found: true };
      index = (index + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.slots = Buffer.alloc(this.capacity * 32);
    this.count = 0;
    for (let i = 0; i < oldCapacity; i += 1) {
      const entry = old.subarray(i * 32, i * 32 + 32);
      if (!isZero(entry)) this.add(entry);
    }
  }
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i] !== 0) return false;
  return true;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
