import { csvHeader, csvLine as summaryCsvLine } from '@probity/evidence';
import type { WarehouseRow } from '@probity/warehouse';
import { documentOf, summaryOf } from './evidence-item.js';

export function csvLine(row: WarehouseRow): string {
  return summaryCsvLine(summaryOf(row));
}

/** One NDJSON export line: an evidence document (`probity verify` checks every line). */
export function ndjsonLine(row: WarehouseRow): string {
  return `${JSON.stringify(documentOf(row))}\n`;
}

/**
 * Text chunks of an export, batching lines so the socket sees few large
 * writes. The first row has already been read (so a failing query is still
 * an HTTP error, not a cut stream).
 */
export async function* exportChunks(
  first: WarehouseRow | undefined,
  rest: AsyncIterator<WarehouseRow>,
  format: 'ndjson' | 'csv',
): AsyncGenerator<string> {
  const line = format === 'csv' ? csvLine : ndjsonLine;
  let chunk = format === 'csv' ? csvHeader() : '';
  if (first !== undefined) chunk += line(first);
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      chunk += line(next.value);
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk.length > 0) yield chunk;
  } finally {
    // Stops the engine's stream when the client goes away mid-export.
    await rest.return?.();
  }
}
