import type { WarehouseRow } from '@probity/warehouse';
import { bundleOf, recordOf, summaryOf, type EvidenceSummary } from './evidence-item.js';

export const CSV_COLUMNS: readonly (keyof EvidenceSummary)[] = [
  'content_hash', 'record_type', 'schema_fingerprint', 'model_id', 'model_version', 'stage', 'run_id', 'manifest_id',
  'occurred_at', 'notarized_at', 'principal', 'controls', 'shard', 'leaf_index',
];

/**
 * RFC 4180 field: quoted when it holds a comma, quote or line break. A
 * value that a spreadsheet would run as a formula (first character `=`,
 * `+`, `-`, `@`, tab or carriage return: OWASP's CSV injection list) gets a
 * leading `'`, so an emitter-supplied run id cannot become a formula in an
 * auditor's spreadsheet. NDJSON exports carry the exact values.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvLine(row: WarehouseRow): string {
  const summary = summaryOf(row);
  return `${CSV_COLUMNS.map((c) => csvField(c === 'controls' ? summary.controls.join(';') : String(summary[c]))).join(',')}\r\n`;
}

/** One NDJSON export line: the summary, the decoded record and its verifiable bundle. */
export function ndjsonLine(row: WarehouseRow): string {
  return `${JSON.stringify({ ...summaryOf(row), record: recordOf(row), bundle: bundleOf(row) })}\n`;
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
