import { badParameter } from '../errors.js';
import { cursorBinding, decodeCursor, type SortKey } from './cursor.js';
import {
  DEFAULT_JSON_LIMIT, MAX_EXPORT_LIMIT, MAX_JSON_LIMIT, assertKnownParameters, assertRange, optionalDate, optionalEnum, optionalInt, optionalText,
  type RawQuery,
} from './params.js';

export const EVIDENCE_LIST_PARAMETERS = ['model_id', 'stage', 'run_id', 'record_type', 'control', 'from', 'to', 'limit', 'cursor', 'order', 'format'] as const;
export type ExportFormat = 'json' | 'ndjson' | 'csv';

export interface EvidenceFilters {
  modelId?: string;
  stage?: string;
  runId?: string;
  recordType?: string;
  control?: string;
  /** Inclusive lower bound of occurred_at. */
  from?: Date;
  /** Exclusive upper bound of occurred_at. */
  to?: Date;
}

export interface EvidenceListRequest {
  filters: EvidenceFilters;
  order: 'asc' | 'desc';
  format: ExportFormat;
  /** Page size (JSON) or row cap (exports; undefined = everything). */
  limit: number | undefined;
  after: SortKey | undefined;
  /** For the next cursor. */
  binding: string;
}

/** Validates `GET /v1/evidence` parameters; every failure names its parameter. */
export function parseEvidenceListQuery(query: RawQuery, tenant: string): EvidenceListRequest {
  assertKnownParameters(query, EVIDENCE_LIST_PARAMETERS);
  const filters: EvidenceFilters = {};
  const modelId = optionalText(query, 'model_id');
  const stage = optionalText(query, 'stage');
  const runId = optionalText(query, 'run_id');
  const recordType = optionalText(query, 'record_type');
  const control = optionalText(query, 'control');
  const from = optionalDate(query, 'from', 'lower');
  const to = optionalDate(query, 'to', 'upper');
  assertRange(from, to);
  if (modelId !== undefined) filters.modelId = modelId;
  if (stage !== undefined) filters.stage = stage;
  if (runId !== undefined) filters.runId = runId;
  if (recordType !== undefined) filters.recordType = recordType;
  if (control !== undefined) filters.control = control;
  if (from) filters.from = from;
  if (to) filters.to = to;
  const order = optionalEnum(query, 'order', ['asc', 'desc'] as const, 'desc');
  const format = optionalEnum(query, 'format', ['json', 'ndjson', 'csv'] as const, 'json');
  let limit: number | undefined;
  if (format === 'json') {
    const raw = query.limit as string | undefined;
    if (raw !== undefined && /^\d+$/.test(raw) && Number(raw) > MAX_JSON_LIMIT) {
      throw badParameter('limit', `limit must be at most ${MAX_JSON_LIMIT} for JSON pages; follow next_cursor for more, or use format=ndjson or csv to export everything`);
    }
    limit = optionalInt(query, 'limit', 1, MAX_JSON_LIMIT) ?? DEFAULT_JSON_LIMIT;
  } else {
    limit = optionalInt(query, 'limit', 1, MAX_EXPORT_LIMIT);
  }
  // The binding covers what selects and orders rows; not limit or format, so a page cursor may continue as an export.
  const binding = cursorBinding(tenant, {
    model_id: modelId, stage, run_id: runId, record_type: recordType, control,
    from: from?.toISOString(), to: to?.toISOString(), order,
  });
  const cursor = query.cursor as string | undefined;
  const after = cursor === undefined ? undefined : decodeCursor(cursor, binding);
  return { filters, order, format, limit, after, binding };
}
