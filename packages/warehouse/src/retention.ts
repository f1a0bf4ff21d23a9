import { DEFAULT_RETENTION_YEARS, TABLES, evidenceLookupKey } from './tables.js';
import { readTenantRetention } from './tenant-retention.js';
import type { Warehouse } from './warehouse.js';

/** A legal hold in force, as `legal_holds_v1` holds it. */
export interface ActiveLegalHold {
  tenant: string;
  hold_id: string;
  scope: 'TENANT' | 'MODEL' | 'PERIOD';
  model_id: string;
  /** ClickHouse DateTime64 text (UTC), or null. */
  period_from: string | null;
  period_to: string | null;
  /** Lifted, but the LIFTED record is not logged yet: still honoured. */
  lift_pending: boolean;
}

export interface PurgeReport {
  /** The day rows are compared with (YYYY-MM-DD, UTC). */
  today: string;
  /** Rows deleted, per table. */
  deleted: Record<string, number>;
  /** Evidence rows past retention that a hold kept, per table (a row under two holds counts once). */
  skippedHeld: Record<string, number>;
  /** Per hold in force: the evidence records (evidence_v1 rows) past retention it kept. */
  holds: { tenant: string; hold_id: string; scope: string; lift_pending: boolean; skipped: number }[];
}

/** Evidence tables and the column that says when a row's evidence occurred (what a period hold covers). */
const PURGED_TABLES: readonly { table: string; occurred: string }[] = [
  { table: TABLES.evidence, occurred: 'occurred_at' },
  { table: TABLES.evidenceByHash, occurred: 'occurred_at' },
  { table: TABLES.evidenceByRun, occurred: 'occurred_at' },
  { table: TABLES.evidenceBlobs, occurred: 'occurred_at' },
  { table: TABLES.inference, occurred: 'occurred_at' },
  { table: TABLES.studyResults, occurred: 'started_at' },
];

/**
 * Holds the purge must honour: every placed hold, and a lifted one whose
 * LIFTED record is not in the evidence tables yet (notarized and stored), so
 * no evidence is purged on a lift the log does not show.
 */
export async function readActiveLegalHolds(warehouse: Warehouse): Promise<ActiveLegalHold[]> {
  const rows = await warehouse.query<ActiveLegalHold & { status: string; lifted_record: string }>(
    `SELECT tenant, hold_id, status, scope, model_id, toString(period_from) AS period_from, toString(period_to) AS period_to, lifted_record
     FROM ${TABLES.legalHolds} FINAL ORDER BY tenant, hold_id`,
  );
  const lifts = rows.filter((r) => r.status === 'LIFTED' && /^[0-9a-f]{64}$/.test(r.lifted_record)).map((r) => evidenceLookupKey(r.tenant, r.lifted_record));
  const logged = new Set(
    lifts.length === 0
      ? []
      : (await warehouse.query<{ lookup_key: string }>(`SELECT lookup_key FROM ${TABLES.evidenceBlobs} WHERE lookup_key IN {keys:Array(String)}`, { keys: lifts })).map((r) => r.lookup_key),
  );
  return rows
    .filter((r) => r.status === 'PLACED' || !logged.has(`${r.tenant}:${r.lifted_record}`))
    .map(({ tenant, hold_id, scope, model_id, period_from, period_to, status }) => ({ tenant, hold_id, scope, model_id, period_from, period_to, lift_pending: status === 'LIFTED' }));
}

/** SQL true for a row one hold covers; its values become bound parameters named `h<i>_…`. */
function holdCondition(hold: ActiveLegalHold, i: number, occurred: string, params: Record<string, unknown>): string {
  params[`h${i}_tenant`] = hold.tenant;
  const parts = [`tenant = {h${i}_tenant:String}`];
  if (hold.scope === 'MODEL') {
    params[`h${i}_model`] = hold.model_id;
    parts.push(`model_id = {h${i}_model:String}`);
  } else if (hold.scope === 'PERIOD') {
    // A period hold without bounds would cover nothing: the API refuses one, and here it holds the whole tenant rather than nothing.
    if (hold.period_from !== null) {
      params[`h${i}_from`] = hold.period_from;
      parts.push(`${occurred} >= toDateTime64({h${i}_from:String}, 6, 'UTC')`);
    }
    if (hold.period_to !== null) {
      params[`h${i}_to`] = hold.period_to;
      parts.push(`${occurred} < toDateTime64({h${i}_to:String}, 6, 'UTC')`);
    }
  }
  return `(${parts.join(' AND ')})`;
}

/**
 * Deletes evidence past retention (both its stored `retention_until` and its
 * date plus the tenant's current setting passed) from every evidence table,
 * except what a legal hold in force covers, and reports both. Log leaves and
 * checkpoints are kept. The rules: docs/operations.md (retention and legal holds).
 */
export async function purgeExpiredEvidence(warehouse: Warehouse, today: Date = new Date()): Promise<PurgeReport> {
  const day = today.toISOString().slice(0, 10);
  const [retention, holds] = await Promise.all([readTenantRetention(warehouse), readActiveLegalHolds(warehouse)]);
  const report: PurgeReport = { today: day, deleted: {}, skippedHeld: {}, holds: [] };
  for (const { table, occurred } of PURGED_TABLES) {
    const params: Record<string, unknown> = {
      today: day,
      tenants: [...retention.keys()],
      years: [...retention.values()],
    };
    const expired = `retention_until < {today:Date}
      AND addYears(toDate(${occurred}), transform(toString(tenant), {tenants:Array(String)}, {years:Array(UInt16)}, toUInt16(${DEFAULT_RETENTION_YEARS}))) < {today:Date}`;
    const conditions = holds.map((h, i) => holdCondition(h, i, occurred, params));
    const held = conditions.length === 0 ? '0' : conditions.join(' OR ');
    const [counts] = await warehouse.query<{ purge: string; kept: string }>(
      `SELECT countIf(NOT (${held})) AS purge, countIf(${held}) AS kept FROM ${table} WHERE ${expired}`,
      params,
    );
    report.deleted[table] = Number(counts?.purge ?? 0);
    report.skippedHeld[table] = Number(counts?.kept ?? 0);
    if (table === TABLES.evidence && holds.length > 0 && report.skippedHeld[table]! > 0) {
      const [perHold] = await warehouse.query<Record<string, string>>(
        `SELECT ${conditions.map((c, i) => `countIf(${c}) AS h${i}`).join(', ')} FROM ${table} WHERE ${expired}`,
        params,
      );
      report.holds = holds.map((h, i) => ({ tenant: h.tenant, hold_id: h.hold_id, scope: h.scope, lift_pending: h.lift_pending, skipped: Number(perHold?.[`h${i}`] ?? 0) }));
    } else if (table === TABLES.evidence) {
      report.holds = holds.map((h) => ({ tenant: h.tenant, hold_id: h.hold_id, scope: h.scope, lift_pending: h.lift_pending, skipped: 0 }));
    }
    if (report.deleted[table]! > 0) {
      // A full scan of the table: never in front of the sink's inserts.
      await warehouse.exec(`DELETE FROM ${table} WHERE ${expired} AND NOT (${held})`, params, { background: true });
    }
  }
  return report;
}
