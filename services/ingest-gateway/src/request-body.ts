import { isRecordType, RECORD_TYPES } from '@probity/schema';

export interface RequestIssue {
  index: number;
  path: string;
  message: string;
}

export type ParsedBody = { ok: true; recordType: string; records: unknown[] } | { ok: false; issues: RequestIssue[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The two request shapes: `{ "type"?, "records": [...] }` (a batch) or one
 * record object, optionally with a top-level `"type"` naming its record type
 * (no record type has a field called `type`, so it cannot clash).
 * @defaultValue type `EvidenceManifest`
 */
export function parseManifestBody(body: unknown, maxRecords: number): ParsedBody {
  if (!isObject(body)) return { ok: false, issues: [{ index: 0, path: '', message: 'expected a JSON object: one record, or { "records": [...] }' }] };
  const { type, ...rest } = body;
  const recordType = type === undefined ? 'EvidenceManifest' : type;
  if (typeof recordType !== 'string' || !isRecordType(recordType)) {
    return { ok: false, issues: [{ index: 0, path: 'type', message: `unknown record type ${JSON.stringify(type)}; expected one of ${RECORD_TYPES.join(', ')}` }] };
  }
  if (!('records' in rest)) return { ok: true, recordType, records: [rest] };
  const { records, ...others } = rest;
  if (!Array.isArray(records) || records.length === 0) return { ok: false, issues: [{ index: 0, path: 'records', message: 'expected a non-empty array of records' }] };
  if (records.length > maxRecords) return { ok: false, issues: [{ index: 0, path: 'records', message: `at most ${maxRecords} records per request, got ${records.length}` }] };
  const extra = Object.keys(others);
  if (extra.length > 0) return { ok: false, issues: [{ index: 0, path: extra[0]!, message: 'unexpected field beside "records" (only "type" is allowed)' }] };
  return { ok: true, recordType, records };
}
