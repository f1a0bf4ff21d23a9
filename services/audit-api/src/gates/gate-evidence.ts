import type { GateEvidenceRow, GatedStageRecord, LoggedDecision } from '@probity/policy';
import { TenantScopedQuery, type Warehouse } from '@probity/warehouse';

/** A run with more records than this is refused rather than read partly. */
export const RUN_RECORD_CAP = 2_000;

interface Row {
  record_type: string;
  content_hash_hex: string;
  occurred_at: string;
  record_json: string;
  envelope_json: string;
}

/** `2026-07-01 10:00:00.123456` (the warehouse's DateTime64 text) → ISO-8601 with microseconds. */
function iso(value: string): string {
  return /^\d{4}-\d\d-\d\d \d/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
}

function toEvidenceRow(row: Row): GateEvidenceRow {
  const envelope = JSON.parse(row.envelope_json || '{}') as { emitter_envelope?: unknown };
  return {
    record_type: row.record_type,
    content_hash: row.content_hash_hex,
    occurred_at: iso(String(row.occurred_at)),
    record: JSON.parse(row.record_json) as Record<string, unknown>,
    emitter_signed: envelope.emitter_envelope !== undefined && envelope.emitter_envelope !== null,
  };
}

function distinct(rows: Row[]): GateEvidenceRow[] {
  const seen = new Map<string, GateEvidenceRow>();
  for (const row of rows) if (!seen.has(row.content_hash_hex)) seen.set(row.content_hash_hex, toEvidenceRow(row));
  return [...seen.values()];
}

const COLUMNS = ['record_type', 'content_hash', 'occurred_at', 'record_json', 'envelope_json'] as const;

/**
 * The warehouse rows a gate reads: the run's records (through the run lookup
 * table, then by hash in the main table) and its models' studies and
 * incidents. Any warehouse error propagates: the caller fails closed.
 */
export async function readGateEvidence(warehouse: Warehouse, tenant: string, runId: string): Promise<{ runRows: GateEvidenceRow[]; modelRows: GateEvidenceRow[] }> {
  const lookup = TenantScopedQuery.from('evidence_by_run_v1', tenant).select(['content_hash', 'model_id', 'stage', 'occurred_at']).where('run_id', 'eq', runId).limit(RUN_RECORD_CAP + 1).build();
  const hits = await warehouse.query<{ content_hash_hex: string; model_id: string; stage: string; occurred_at: string }>(lookup.sql, lookup.params);
  if (hits.length > RUN_RECORD_CAP) throw new RangeError(`run ${runId} has more than ${RUN_RECORD_CAP} records`);
  if (hits.length === 0) return { runRows: [], modelRows: [] };
  const times = hits.map((h) => String(h.occurred_at)).sort();
  const modelIds = [...new Set(hits.map((h) => String(h.model_id)))];
  const run = TenantScopedQuery.from('evidence_v1', tenant)
    .select(COLUMNS)
    .where('model_id', 'in', modelIds)
    // The main table's key is (tenant, model_id, stage, occurred_at, …): naming the stages lets it skip to the run's time range in each.
    .where('stage', 'in', [...new Set(hits.map((h) => String(h.stage)))])
    .where('occurred_at', 'gte', times[0]!)
    .where('occurred_at', 'lte', times[times.length - 1]!)
    .where('content_hash', 'in', hits.map((h) => String(h.content_hash_hex)))
    .where('run_id', 'eq', runId)
    .build();
  const runRows = distinct(await warehouse.query<Row>(run.sql, run.params));

  const models = modelIds.filter((m) => m !== '');
  if (models.length === 0) return { runRows, modelRows: [] };
  const model = TenantScopedQuery.from('evidence_v1', tenant)
    .select(COLUMNS)
    .where('model_id', 'in', models)
    .where('stage', 'in', ['MONITORING', 'INCIDENT'])
    .where('record_type', 'in', ['StudyResult', 'Incident'])
    .build();
  return { runRows, modelRows: distinct(await warehouse.query<Row>(model.sql, model.params)) };
}

/** At most this many runs in one backtest. */
export const BACKTEST_RUN_CAP = 5_000;

/**
 * The runs that passed the gate's stage (a PROMOTION or DEPLOYMENT manifest)
 * in [from, to), oldest first, with the time of their first such manifest.
 */
export async function gatedRuns(warehouse: Warehouse, tenant: string, stage: 'PROMOTION' | 'DEPLOYMENT', from: Date, to: Date): Promise<{ run_id: string; model_id: string; at: string }[]> {
  const inner = TenantScopedQuery.from('evidence_v1', tenant)
    .select(['run_id', 'model_id', 'occurred_at'])
    .where('stage', 'eq', stage)
    .where('record_type', 'eq', 'EvidenceManifest')
    .where('occurred_at', 'gte', from)
    .where('occurred_at', 'lt', to)
    .build();
  const rows = await warehouse.query<{ run_id: string; model_id: string; at: string }>(
    `SELECT run_id, any(model_id) AS model_id, min(occurred_at) AS at FROM (${inner.sql}) GROUP BY run_id ORDER BY at, run_id LIMIT {run_cap:UInt64}`,
    { ...inner.params, run_cap: BACKTEST_RUN_CAP + 1 },
  );
  if (rows.length > BACKTEST_RUN_CAP) throw new RangeError(`more than ${BACKTEST_RUN_CAP} runs in the window: backtest a shorter one`);
  return rows.map((r) => ({ run_id: String(r.run_id), model_id: String(r.model_id), at: iso(String(r.at)) }));
}

/**
 * What the gap analysis needs about gates: the period's PROMOTION and
 * DEPLOYMENT manifests (optionally of one model), and the PolicyDecision
 * records of their runs notarized by `asOf`.
 */
export async function gateFindingRecords(
  warehouse: Warehouse,
  tenant: string,
  window: { from: Date; to: Date; asOf: Date; modelId?: string },
): Promise<{ stages: GatedStageRecord[]; decisions: LoggedDecision[] }> {
  let q = TenantScopedQuery.from('evidence_v1', tenant)
    .select(['run_id', 'model_id', 'stage', 'occurred_at', 'content_hash'])
    .where('stage', 'in', ['PROMOTION', 'DEPLOYMENT'])
    .where('record_type', 'eq', 'EvidenceManifest')
    .where('occurred_at', 'gte', window.from)
    .where('occurred_at', 'lt', window.to)
    .where('notarized_at', 'lte', window.asOf);
  if (window.modelId !== undefined) q = q.where('model_id', 'eq', window.modelId);
  const built = q.limit(BACKTEST_RUN_CAP + 1).build();
  const rows = await warehouse.query<{ run_id: string; model_id: string; stage: string; occurred_at: string; content_hash_hex: string }>(built.sql, built.params);
  if (rows.length > BACKTEST_RUN_CAP) throw new RangeError(`more than ${BACKTEST_RUN_CAP} promotion and deployment records in the period`);
  const stages = rows.map((r) => ({ run_id: String(r.run_id), model_id: String(r.model_id), stage: String(r.stage), occurred_at: iso(String(r.occurred_at)), content_hash: String(r.content_hash_hex) }));
  const runs = [...new Set(stages.map((s) => s.run_id))];
  if (runs.length === 0) return { stages, decisions: [] };
  const d = TenantScopedQuery.from('evidence_v1', tenant)
    .select(['run_id', 'content_hash', 'record_json'])
    .where('record_type', 'eq', 'PolicyDecision')
    .where('run_id', 'in', runs)
    .where('notarized_at', 'lte', window.asOf)
    .build();
  const decided = await warehouse.query<{ run_id: string; content_hash_hex: string; gate: string; result: string }>(
    `SELECT run_id, content_hash_hex, JSONExtractString(record_json, 'gate') AS gate, JSONExtractString(record_json, 'result') AS result FROM (${d.sql})`,
    d.params,
  );
  return { stages, decisions: decided.map((r) => ({ run_id: String(r.run_id), gate: String(r.gate), result: String(r.result), content_hash: String(r.content_hash_hex) })) };
}
