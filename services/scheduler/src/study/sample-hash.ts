import { createHash } from 'node:crypto';

export interface NamedSample {
  name: string;
  /** Sorted ascending. */
  values: Float64Array;
}

/**
 * Content address of a set of samples: SHA-256 over, for each sample in the
 * given order, its name (UTF-8), a NUL byte, its size as a little-endian
 * uint64, and its values sorted ascending as little-endian float64. Sorting
 * makes the hash independent of the order the warehouse returned rows in.
 */
export function hashSortedSamples(samples: readonly NamedSample[]): string {
  const hash = createHash('sha256');
  for (const sample of samples) {
    hash.update(sample.name, 'utf8');
    hash.update(Buffer.from([0]));
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(sample.values.length));
    hash.update(size);
    const bytes = new Uint8Array(sample.values.buffer, sample.values.byteOffset, sample.values.byteLength);
    if (new Uint8Array(new Float64Array([1]).buffer)[7] !== 0x3f) throw new Error('big-endian hosts are not supported');
    hash.update(bytes);
  }
  return hash.digest('hex');
}
