import { countRawPackMessages, isRawPack } from '@probity/evidence';

/** The broker's default message.max.bytes is ~1 MiB: produce requests and signed batches stay under this. */
export const MAX_KAFKA_BYTES = 768 * 1024;

/** Splits items, in order, into runs of at most `maxBytes` by `sizeOf` (an item larger than that gets a run of its own). */
export function chunksByBytes<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes = MAX_KAFKA_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Splits raw messages, in order, into runs of at most `maxRecords` records: a
 * raw pack counts as the messages it holds (read from the pack, not from a
 * header a sender could get wrong) and is never split (a pack larger than the
 * limit gets a run of its own; packs hold at most RAW_PACK_MAX_MESSAGES).
 */
export function chunksByRecords<T extends { value: Buffer | null }>(messages: readonly T[], maxRecords: number): T[][] {
  return chunksByBytes(messages, (message) => (message.value !== null && isRawPack(message.value) ? (countRawPackMessages(message.value) ?? 1) : 1), maxRecords);
}
