import type { CoverageRecord } from '@probity/compliance';

/** One control's entry of a Statement of Applicability, and the record it comes from. */
export interface SoaEntry {
  control: string;
  applicable: boolean;
  justification: string;
  owner: string | null;
  implementation: string;
  actor: string;
  decided_at: string;
  notarized_at: string;
  content_hash: string;
  /** How many entries the control has had up to the as-of date. */
  changes: number;
}
import { TenantScopedQuery, evidenceLookupKey, type Warehouse, type WarehouseRow } from '@probity/warehouse';
import type { SortKey } from './cursor.js';
import type { EvidenceFilters } from './evidence-params.js';
import { FULL_COLUMNS } from './evidence-item.js';

type EvidenceQuery = TenantScopedQuery<'evidence_v1'>;

/** A run with more records than this is read from the main table by run_id instead of by hash list. */
const RUN_HASH_CAP = 10_000;

export interface PageRequest {
  filters: EvidenceFilters;
  order: 'asc' | 'desc';
  limit: number;
  after: SortKey | undefined;
}

export interface ExportRequest {
  filters: EvidenceFilters;
  order: 'asc' | 'desc';
  limit: number | undefined;
  after: SortKey | undefined;
}

/**
 * Evidence reads. Every query starts from TenantScopedQuery (tenant first,
 * bound parameters only). Where the builder cannot say something (keyset
 * tuple comparison, ARRAY JOIN, GROUP BY) its query becomes a subquery and
 * the outer query adds only fixed SQL and bound parameters: the tenant
 * predicate is always inside.
 */
export class EvidenceRepository {
  constructor(private readonly warehouse: Warehouse) {}

  /**
   * One record by content hash: one RocksDB Get on `evidence_blobs_v2`
   * (key `tenant:hex`, migration 0008), which carries every column a
   * record's answer needs; the tenant predicate is still applied to the row.
   */
  async byHash(tenant: string, contentHash: string): Promise<WarehouseRow | undefined> {
    const read = TenantScopedQuery.from('evidence_blobs_v2', tenant)
      .select([...FULL_COLUMNS])
      .where('lookup_key', 'eq', evidenceLookupKey(tenant, contentHash))
      .limit(1)
      .build();
    const [row] = await this.warehouse.query(read.sql, read.params);
    return row;
  }

  /**
   * One page in two steps: the sort keys of the page from the narrow
   * columns, then the rows by primary key. Reading the wide columns
   * (record JSON) only for the page keeps a quarter's range cheap.
   */
  async page(tenant: string, request: PageRequest): Promise<{ rows: WarehouseRow[]; hasMore: boolean }> {
    const base = await this.filtered(tenant, request.filters);
    if (base === undefined) return { rows: [], hasMore: false };
    const keysQuery = keyset(base.select(['occurred_at', 'content_hash', 'model_id', 'stage']), request.order, request.after, request.limit + 1);
    const keys = await this.warehouse.query(keysQuery.sql, keysQuery.params);
    const hasMore = keys.length > request.limit;
    const pageKeys = keys.slice(0, request.limit);
    if (pageKeys.length === 0) return { rows: [], hasMore: false };
    const times = pageKeys.map((k) => String(k.occurred_at)).sort();
    const read = TenantScopedQuery.from('evidence_v1', tenant)
      .select([...FULL_COLUMNS])
      .where('model_id', 'in', unique(pageKeys.map((k) => String(k.model_id))))
      .where('stage', 'in', unique(pageKeys.map((k) => String(k.stage))))
      .where('occurred_at', 'gte', times[0]!)
      .where('occurred_at', 'lte', times[times.length - 1]!)
      .where('content_hash', 'in', pageKeys.map((k) => String(k.content_hash_hex)))
      .build();
    const rows = await this.warehouse.query(read.sql, read.params);
    // Duplicates cannot reach the table (the sink dedupes), but a page must never repeat a row.
    const byHash = new Map(rows.map((r) => [String(r.content_hash_hex), r]));
    const ordered = pageKeys.map((k) => byHash.get(String(k.content_hash_hex))).filter((r): r is WarehouseRow => r !== undefined);
    return { rows: ordered, hasMore };
  }

  /** Every matching row with its bundle columns, streamed in order from the engine. */
  async *export(tenant: string, request: ExportRequest): AsyncIterable<WarehouseRow> {
    const base = await this.filtered(tenant, request.filters);
    if (base === undefined) return;
    const query = keyset(base.select([...FULL_COLUMNS]), request.order, request.after, request.limit);
    yield* this.warehouse.queryStream(query.sql, query.params);
  }

  /**
   * Record counts per control over [from, to), optionally only one
   * framework's controls (the `framework:` prefix of a control id).
   */
  async countsByControl(tenant: string, from: Date, to: Date, framework: string | undefined): Promise<Map<string, number>> {
    const inner = TenantScopedQuery.from('evidence_v1', tenant).select(['controls']).where('occurred_at', 'gte', from).where('occurred_at', 'lt', to).build();
    const rows = await this.warehouse.query<{ control: string; records: string }>(
      `SELECT control, count() AS records FROM (${inner.sql}) ARRAY JOIN controls AS control
       ${framework === undefined ? '' : 'WHERE startsWith(control, {framework_prefix:String})'}
       GROUP BY control ORDER BY control`,
      { ...inner.params, ...(framework === undefined ? {} : { framework_prefix: `${framework}:` }) },
    );
    return new Map(rows.map((r) => [r.control, Number(r.records)]));
  }

  /**
   * What coverage needs of the tenant's records (optionally one model's)
   * that occurred before `to` and were notarized by `asOf`: pipeline records
   * from `since` on (older ones cannot be fresh), studies and incidents of
   * any age (an old failure or open incident is still a finding).
   */
  async *coverageRecords(tenant: string, options: { modelId?: string; since: Date; to: Date; asOf: Date }): AsyncIterable<CoverageRecord> {
    let inner = TenantScopedQuery.from('evidence_v1', tenant)
      .select(['content_hash', 'record_type', 'stage', 'controls', 'occurred_at', 'notarized_at', 'record_json'])
      .where('occurred_at', 'lt', options.to)
      .where('notarized_at', 'lte', options.asOf);
    if (options.modelId !== undefined) inner = inner.where('model_id', 'eq', options.modelId);
    const built = inner.build();
    const rows = this.warehouse.queryStream(
      `SELECT content_hash_hex AS h, record_type, stage, controls,
              toUnixTimestamp64Milli(occurred_at) AS occurred_ms, toUnixTimestamp64Milli(notarized_at) AS notarized_ms,
              if(record_type = 'StudyResult', JSONExtractString(record_json, 'study_id'), '') AS study_id,
              if(record_type = 'StudyResult', JSONExtractString(record_json, 'kind'), '') AS study_kind,
              if(record_type = 'StudyResult', JSONExtractString(record_json, 'verdict'), '') AS verdict,
              if(record_type = 'Incident', JSONExtractString(record_json, 'incident_id'), '') AS incident_id,
              if(record_type = 'Incident', JSONExtractString(record_json, 'status'), '') AS incident_status
       FROM (${built.sql})
       WHERE occurred_at >= {coverage_since:DateTime64(6, 'UTC')} OR record_type IN ('StudyResult', 'Incident')`,
      { ...built.params, coverage_since: options.since },
    );
    for await (const r of rows) {
      yield {
        contentHash: String(r.h),
        recordType: String(r.record_type),
        stage: String(r.stage),
        controls: (r.controls as string[] | undefined) ?? [],
        occurredAt: Number(r.occurred_ms),
        notarizedAt: Number(r.notarized_ms),
        ...(r.study_id ? { studyId: String(r.study_id), studyKind: String(r.study_kind), verdict: String(r.verdict) } : {}),
        ...(r.incident_id ? { incidentId: String(r.incident_id), incidentStatus: String(r.incident_status) } : {}),
      };
    }
  }

  /**
   * The Statement of Applicability of one framework as the log held it at
   * `asOf`: per control, its latest entry by notarization time.
   */
  async applicability(tenant: string, framework: string, asOf: Date): Promise<SoaEntry[]> {
    const inner = TenantScopedQuery.from('evidence_v1', tenant)
      .select(['content_hash', 'record_type', 'occurred_at', 'notarized_at', 'record_json'])
      .where('record_type', 'eq', 'ApplicabilityStatement')
      .where('notarized_at', 'lte', asOf)
      .build();
    const rows = await this.warehouse.query<Record<string, unknown>>(
      `SELECT control, argMax(tuple(content_hash_hex, record_json, notarized_at), notarized_at) AS latest, count() AS changes
       FROM (SELECT *, JSONExtractString(record_json, 'control') AS control FROM (${inner.sql})
             WHERE JSONExtractString(record_json, 'framework') = {soa_framework:String})
       GROUP BY control ORDER BY control`,
      { ...inner.params, soa_framework: framework },
    );
    return rows.map((r) => {
      const [hash, json, notarizedAt] = r.latest as [string, string, string];
      const record = JSON.parse(json) as { applicable: boolean; justification: string; owner: string | null; implementation: string; actor: string; occurred_at: string };
      return {
        control: String(r.control),
        applicable: record.applicable,
        justification: record.justification,
        owner: record.owner,
        implementation: record.implementation,
        actor: record.actor,
        decided_at: record.occurred_at,
        notarized_at: `${String(notarizedAt).replace(' ', 'T')}Z`,
        content_hash: hash,
        changes: Number(r.changes),
      };
    });
  }

  /** When the log first held a record of this tenant, or null. */
  async firstNotarizedAt(tenant: string): Promise<Date | null> {
    const inner = TenantScopedQuery.from('evidence_v1', tenant).select(['notarized_at']).build();
    const [row] = await this.warehouse.query<{ first: string; n: string }>(`SELECT min(notarized_at) AS first, count() AS n FROM (${inner.sql})`, inner.params);
    return row && Number(row.n) > 0 ? new Date(`${String(row.first).replace(' ', 'T')}Z`) : null;
  }

  /** Every control the tenant has evidence for, in any period. */
  async controlsEverSeen(tenant: string, framework: string | undefined): Promise<string[]> {
    const inner = TenantScopedQuery.from('evidence_v1', tenant).select(['controls']).build();
    const rows = await this.warehouse.query<{ control: string }>(
      `SELECT DISTINCT control FROM (${inner.sql}) ARRAY JOIN controls AS control
       ${framework === undefined ? '' : 'WHERE startsWith(control, {framework_prefix:String})'}
       ORDER BY control`,
      { ...inner.params, ...(framework === undefined ? {} : { framework_prefix: `${framework}:` }) },
    );
    return rows.map((r) => r.control);
  }

  /**
   * The filters as a builder. A run id goes through the run lookup table
   * (ORDER BY tenant, run_id): its hashes then select rows of the main table.
   * Undefined when the run has no record matching the filters.
   */
  private async filtered(tenant: string, filters: EvidenceFilters): Promise<EvidenceQuery | undefined> {
    let q = TenantScopedQuery.from('evidence_v1', tenant);
    if (filters.modelId !== undefined) q = q.where('model_id', 'eq', filters.modelId);
    if (filters.stage !== undefined) q = q.where('stage', 'eq', filters.stage);
    if (filters.recordType !== undefined) q = q.where('record_type', 'eq', filters.recordType);
    if (filters.control !== undefined) q = q.where('controls', 'has', filters.control);
    if (filters.from) q = q.where('occurred_at', 'gte', filters.from);
    if (filters.to) q = q.where('occurred_at', 'lt', filters.to);
    if (filters.runId !== undefined) {
      q = q.where('run_id', 'eq', filters.runId);
      let run = TenantScopedQuery.from('evidence_by_run_v1', tenant).select(['content_hash', 'model_id', 'occurred_at']).where('run_id', 'eq', filters.runId);
      if (filters.modelId !== undefined) run = run.where('model_id', 'eq', filters.modelId);
      if (filters.stage !== undefined) run = run.where('stage', 'eq', filters.stage);
      if (filters.from) run = run.where('occurred_at', 'gte', filters.from);
      if (filters.to) run = run.where('occurred_at', 'lt', filters.to);
      const built = run.limit(RUN_HASH_CAP + 1).build();
      const hits = await this.warehouse.query(built.sql, built.params);
      if (hits.length === 0) return undefined;
      if (hits.length <= RUN_HASH_CAP) {
        const times = hits.map((h) => String(h.occurred_at)).sort();
        q = q
          .where('model_id', 'in', unique(hits.map((h) => String(h.model_id))))
          .where('occurred_at', 'gte', times[0]!)
          .where('occurred_at', 'lte', times[times.length - 1]!)
          .where('content_hash', 'in', hits.map((h) => String(h.content_hash_hex)));
      }
    }
    return q;
  }
}

/**
 * Keyset pagination: rows strictly after `after` in (occurred_at,
 * content_hash) order. The builder's query narrows by the first key (which
 * the primary key can use); the outer query applies the exact tuple bound.
 */
function keyset(
  base: EvidenceQuery,
  order: 'asc' | 'desc',
  after: SortKey | undefined,
  limit: number | undefined,
): { sql: string; params: Record<string, unknown> } {
  let inner = base.orderBy('occurred_at', order).orderBy('content_hash', order);
  if (after) inner = inner.where('occurred_at', order === 'desc' ? 'lte' : 'gte', after.occurredAt);
  const built = inner.build();
  const direction = order === 'desc' ? 'DESC' : 'ASC';
  const comparison = order === 'desc' ? '<' : '>';
  let sql = `SELECT * FROM (${built.sql})`;
  const params: Record<string, unknown> = { ...built.params };
  if (after) {
    sql += ` WHERE (occurred_at, content_hash_hex) ${comparison} ({after_at:DateTime64(6, 'UTC')}, {after_hash:String})`;
    params.after_at = after.occurredAt;
    params.after_hash = after.contentHash;
  }
  sql += ` ORDER BY occurred_at ${direction}, content_hash_hex ${direction}`;
  if (limit !== undefined) {
    sql += ' LIMIT {page_limit:UInt64}';
    params.page_limit = limit;
  }
  return { sql, params };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

