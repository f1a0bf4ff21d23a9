import { createHash } from 'node:crypto';
import { HEADER, headerString, type KafkaMessage } from '@probity/kafka';
import type { SchemaRegistry } from '@probity/schema';

/** Every reason the notary and the sink write (README, "Nothing lost"). */
export const DLQ_REASONS: readonly string[] = [
  'OVERSIZED', 'NOT_SINGLE_OBJECT', 'UNKNOWN_FINGERPRINT', 'BODY_INVALID', 'SEMANTIC_INVALID', 'TENANT_MISMATCH',
  'SIGNATURE_REQUIRED', 'SIGNATURE_INVALID', 'PACK_INVALID', 'SIGNED_BATCH_MALFORMED', 'SIGNED_BATCH_INCONSISTENT', 'RECORD_UNDECODABLE',
];

/** Reasons the sink gives: its DLQ messages are signed batches or signed records, not raw records, and cannot be replayed to the notary. */
export const SINK_DLQ_REASONS: readonly string[] = ['SIGNED_BATCH_MALFORMED', 'SIGNED_BATCH_INCONSISTENT', 'RECORD_UNDECODABLE'];

/** One DLQ message as the API shows it. `id` is `<partition>:<offset>` of the DLQ topic: stable for as long as the topic keeps it. */
export interface DlqEntry {
  id: string;
  partition: number;
  offset: string;
  /** When the DLQ message was written (broker timestamp), ISO 8601. */
  dead_lettered_at: string;
  reason: string;
  detail: string;
  /** The tenant the refused record belongs to; null when it cannot be read (then only an operator sees the entry). */
  tenant: string | null;
  record_type: string | null;
  /** SHA-256 of the dead-lettered bytes: the content hash the record has if it is notarized. */
  content_hash: string | null;
  size: number;
  source: { topic: string | null; partition: number | null; offset: string | null; pack_index: number | null };
  /** When this refusal is of a replayed record: the DLQ entry it was replayed from (header probity-dlq-replay-of). */
  replay_of: string | null;
  /** Whether `dlq replay` can send it to the notary again (a raw record; the sink's entries are not). */
  replayable: boolean;
}

export interface DlqEntryDetail extends DlqEntry {
  headers: Record<string, string>;
  value_base64: string | null;
  /** The record decoded with the schema registry, when the bytes allow it. */
  decoded: { record_type: string; schema_version: number; record: unknown } | null;
  decode_error: string | null;
}

export function dlqEntryId(partition: number, offset: string): string {
  return `${partition}:${offset}`;
}

const ID = /^(\d{1,9}):(\d{1,19})$/;

export function parseDlqEntryId(id: string): { partition: number; offset: string } | null {
  const m = ID.exec(id);
  return m ? { partition: Number(m[1]), offset: BigInt(m[2]!).toString() } : null;
}

function intOrNull(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

type Decoding = { ok: true; recordType: string; version: number; value: unknown } | { ok: false; error: string };

function decode(registry: SchemaRegistry, value: Buffer | null): Decoding {
  if (value === null || value.length === 0) return { ok: false, error: 'empty message value' };
  try {
    const d = registry.decode(value);
    return { ok: true, recordType: d.recordType, version: d.version, value: d.value };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * The tenant of a DLQ message: the record's own tenant when its bytes decode,
 * the `probity-tenant` header otherwise; none when the two disagree (a
 * TENANT_MISMATCH) or neither is there. A sink entry of one record carries
 * the signed record's JSON, whose `tenant` the notary wrote.
 */
function tenantOf(reason: string, headerTenant: string | undefined, decoded: Decoding, value: Buffer | null): string | null {
  if (reason === 'RECORD_UNDECODABLE' && value) {
    try {
      const tenant = (JSON.parse(value.toString('utf8')) as { tenant?: unknown }).tenant;
      return typeof tenant === 'string' && tenant !== '' ? tenant : null;
    } catch {
      return null;
    }
  }
  const recordTenant = decoded.ok ? (decoded.value as { tenant?: unknown }).tenant : undefined;
  if (typeof recordTenant === 'string' && recordTenant !== '') {
    return headerTenant === undefined || headerTenant === recordTenant ? recordTenant : null;
  }
  return headerTenant !== undefined && headerTenant !== '' ? headerTenant : null;
}

/** A DLQ message → its entry (and details for `show`). Pure: the registry only decodes. */
export function describeDlqMessage(partition: number, message: KafkaMessage, registry: SchemaRegistry): DlqEntryDetail {
  const value = message.value ?? null;
  const headers: Record<string, string> = {};
  for (const name of Object.keys(message.headers ?? {})) {
    const v = headerString(message.headers, name);
    if (v !== undefined) headers[name] = v;
  }
  const reason = headers[HEADER.dlqReason] ?? 'UNKNOWN';
  const decoded = SINK_DLQ_REASONS.includes(reason) ? ({ ok: false, error: 'a signed batch or signed record from the sink, not a raw record' } as const) : decode(registry, value);
  const sourceTopic = headers[HEADER.dlqSourceTopic] ?? null;
  return {
    id: dlqEntryId(partition, message.offset),
    partition,
    offset: message.offset,
    dead_lettered_at: new Date(Number(message.timestamp)).toISOString(),
    reason,
    detail: headers[HEADER.dlqDetail] ?? '',
    tenant: tenantOf(reason, headers[HEADER.tenant], decoded, value),
    record_type: decoded.ok ? decoded.recordType : null,
    content_hash: value && value.length > 0 ? createHash('sha256').update(value).digest('hex') : null,
    size: value?.length ?? 0,
    source: {
      topic: sourceTopic,
      partition: intOrNull(headers[HEADER.dlqSourcePartition]),
      offset: headers[HEADER.dlqSourceOffset] ?? null,
      pack_index: intOrNull(headers[HEADER.dlqSourcePackIndex]),
    },
    replay_of: headers[HEADER.dlqReplayOf] ?? null,
    replayable: !SINK_DLQ_REASONS.includes(reason) && value !== null && value.length > 0,
    headers,
    value_base64: value ? value.toString('base64') : null,
    decoded: decoded.ok ? { record_type: decoded.recordType, schema_version: decoded.version, record: decoded.value } : null,
    decode_error: decoded.ok ? null : decoded.error,
  };
}

export interface DlqFilter {
  /** Only this tenant's entries. */
  tenant?: string;
  /** Only entries whose tenant is one of these; undefined = every entry, tenant-less ones included (operator). */
  visibleTenants?: readonly string[];
  reason?: string;
  /** dead_lettered_at ≥ from, < to. */
  from?: Date;
  to?: Date;
}

export function matchesDlqFilter(entry: DlqEntry, filter: DlqFilter): boolean {
  if (filter.visibleTenants !== undefined && (entry.tenant === null || !filter.visibleTenants.includes(entry.tenant))) return false;
  if (filter.tenant !== undefined && entry.tenant !== filter.tenant) return false;
  if (filter.reason !== undefined && entry.reason !== filter.reason) return false;
  const at = Date.parse(entry.dead_lettered_at);
  if (filter.from !== undefined && at < filter.from.getTime()) return false;
  if (filter.to !== undefined && at >= filter.to.getTime()) return false;
  return true;
}

/** Only the fields of a list item (no bytes, headers or decoded record). */
export function summaryOf(detail: DlqEntryDetail): DlqEntry {
  const { headers: _h, value_base64: _v, decoded: _d, decode_error: _e, ...entry } = detail;
  return entry;
}

/** Headers a replay sends again: the original ones (emitter signatures, tenant), none of the DLQ's own. */
export function replayHeaders(headers: Record<string, string>, id: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) if (!name.startsWith('probity-dlq-')) out[name] = value;
  out[HEADER.dlqReplayOf] = id;
  return out;
}
