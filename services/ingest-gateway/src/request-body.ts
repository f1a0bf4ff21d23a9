import { isRecordType, RECORD_TYPES } from '@probity/schema';

export interface RequestIssue {
  index: number;
  path: string;
  message: string;
}

/**
 * An emitter's signature over one record, made by the client over the bytes
 * it encoded itself: `contentHash` must be the hash of the bytes the gateway
 * encodes from the record's JSON, or the request is refused. Exactly one of
 * `emitterBatch` (what the SDK puts in the `probity-emitter-batch` header) or
 * `emitterEnvelope` (the DSSE signatures of `probity-emitter-envelope`).
 */
export interface RecordSignature {
  contentHash: string;
  emitterBatch?: unknown;
  emitterEnvelope?: unknown;
}

export type ParsedBody = { ok: true; recordType: string; records: unknown[]; signatures?: (RecordSignature | null)[] } | { ok: false; issues: RequestIssue[] };

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
  const { records, signatures, ...others } = rest;
  if (!Array.isArray(records) || records.length === 0) return { ok: false, issues: [{ index: 0, path: 'records', message: 'expected a non-empty array of records' }] };
  if (records.length > maxRecords) return { ok: false, issues: [{ index: 0, path: 'records', message: `at most ${maxRecords} records per request, got ${records.length}` }] };
  const extra = Object.keys(others);
  if (extra.length > 0) return { ok: false, issues: [{ index: 0, path: extra[0]!, message: 'unexpected field beside "records" (only "type" and "signatures" are allowed)' }] };
  if (signatures === undefined) return { ok: true, recordType, records };
  if (!Array.isArray(signatures) || signatures.length !== records.length) {
    return { ok: false, issues: [{ index: 0, path: 'signatures', message: 'expected an array with one entry (or null) per record' }] };
  }
  const parsed: (RecordSignature | null)[] = [];
  for (const [index, entry] of signatures.entries()) {
    if (entry === null) {
      parsed.push(null);
      continue;
    }
    const path = `signatures[${index}]`;
    if (!isObject(entry) || typeof entry.contentHash !== 'string' || !/^[0-9a-f]{64}$/.test(entry.contentHash)) {
      return { ok: false, issues: [{ index, path: `${path}.contentHash`, message: 'expected the record\'s content hash: 64 lowercase hex characters' }] };
    }
    if ((entry.emitterBatch === undefined) === (entry.emitterEnvelope === undefined)) {
      return { ok: false, issues: [{ index, path, message: 'expected exactly one of "emitterBatch" and "emitterEnvelope"' }] };
    }
    parsed.push({ contentHash: entry.contentHash, emitterBatch: entry.emitterBatch, emitterEnvelope: entry.emitterEnvelope });
  }
  return { ok: true, recordType, records, signatures: parsed };
}
