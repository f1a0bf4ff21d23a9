import type { Statement } from './statement.js';

/**
 * The readable fields of an evidence document (API answers, list pages,
 * NDJSON and CSV exports). Each is derived from the verified record and its
 * statement by `deriveEvidenceSummary`: the sink stores what it returns, and
 * the verifier runs it again and compares (invariant 6).
 */
export interface EvidenceSummary {
  content_hash: string;
  record_type: string;
  schema_fingerprint: string;
  model_id: string;
  model_version: string;
  stage: string;
  run_id: string;
  manifest_id: string;
  /** Microsecond ISO-8601 UTC, as the warehouse returns DateTime64(6). */
  occurred_at: string;
  notarized_at: string;
  principal: string;
  controls: string[];
  shard: number;
  leaf_index: number;
}

export const EVIDENCE_SUMMARY_FIELDS = [
  'content_hash', 'record_type', 'schema_fingerprint', 'model_id', 'model_version', 'stage', 'run_id', 'manifest_id',
  'occurred_at', 'notarized_at', 'principal', 'controls', 'shard', 'leaf_index',
] as const satisfies readonly (keyof EvidenceSummary)[];

/** A record's decoded value (plain objects, timestamps as microseconds) and its type. */
export interface DecodedRecordValue {
  recordType: string;
  value: Record<string, unknown>;
}

/**
 * The summary of a notarized record: identity and log position from the
 * statement, the rest from the record's value. Pure and deterministic.
 */
export function deriveEvidenceSummary(decoded: DecodedRecordValue, statement: Statement): EvidenceSummary {
  const { recordType, value } = decoded;
  return {
    content_hash: statement.content_hash,
    record_type: recordType,
    schema_fingerprint: statement.schema_fingerprint,
    model_id: stringField(value.model_id),
    model_version: stringField(value.model_version),
    stage: stageOf(recordType, value),
    run_id: stringField(value.run_id ?? value.request_id),
    manifest_id: stringField(value.manifest_id ?? value.incident_id ?? value.event_id),
    occurred_at: isoMicros(occurredAtMs(value)),
    notarized_at: isoMicros(Date.parse(statement.notarized_at)),
    principal: principalOf(value),
    controls: Array.isArray(value.controls) ? (value.controls as unknown[]).map(String) : [],
    shard: statement.shard,
    leaf_index: statement.index,
  };
}

/** A record's `occurred_at` (microseconds since the epoch) as whole milliseconds, as the warehouse keeps it. */
export function occurredAtMs(value: Record<string, unknown>): number {
  return Math.trunc(Number(value.occurred_at) / 1000);
}

/** Milliseconds since the epoch → `2026-07-01T12:00:00.123000Z` (the warehouse's DateTime64(6) text, ISO style). */
export function isoMicros(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}000Z`;
}

function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Manifests carry their stage; other record types are filed under a stage named after them. */
function stageOf(recordType: string, value: Record<string, unknown>): string {
  if (typeof value.stage === 'string') return value.stage;
  switch (recordType) {
    case 'InferenceRecord':
      return 'INFERENCE';
    case 'StudyResult':
      return 'MONITORING';
    default:
      return recordType.toUpperCase();
  }
}

function principalOf(value: Record<string, unknown>): string {
  const principal = (value.principal ?? value.reported_by ?? value.actor) as { id?: unknown } | string | undefined;
  if (typeof principal === 'string') return principal;
  return typeof principal?.id === 'string' ? principal.id : '';
}

/** Columns of a CSV export, in order. */
export const CSV_COLUMNS = EVIDENCE_SUMMARY_FIELDS;

/**
 * A CSV cell's value before quoting. A value that a spreadsheet would run as
 * a formula (first character `=`, `+`, `-`, `@`, tab or carriage return:
 * OWASP's CSV injection list) gets a leading `'`, so an emitter-supplied run
 * id cannot become a formula in an auditor's spreadsheet. NDJSON exports
 * carry the exact values.
 */
export function csvCellValue(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180 field: the cell value, quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return quoted(csvCellValue(value));
}

function quoted(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** A summary's CSV cells as a CSV reader returns them; the verifier compares them with the cells it read. */
export function csvCells(summary: EvidenceSummary): string[] {
  return CSV_COLUMNS.map((c) => csvCellValue(c === 'controls' ? summary.controls.join(';') : String(summary[c])));
}

/** One CSV export line of a summary. */
export function csvLine(summary: EvidenceSummary): string {
  return `${csvCells(summary).map(quoted).join(',')}\r\n`;
}
