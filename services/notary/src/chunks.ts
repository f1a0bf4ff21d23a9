import { HEADER, headerString, type IHeaders } from '@probity/kafka';

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
 * raw pack counts as the records its `probity-record-count` header announces
 * (a hint for sizing only; the pack's contents decide what is notarized), and
 * is never split (a pack larger than the limit gets a run of its own).
 */
export function chunksByRecords<T extends { headers?: IHeaders | undefined }>(messages: readonly T[], maxRecords: number): T[][] {
  return chunksByBytes(messages, (message) => {
    const announced = Number(headerString(message.headers, HEADER.recordCount) ?? 1);
    return Number.isSafeInteger(announced) && announced > 0 ? announced : 1;
  }, maxRecords);
}
