import { EVIDENCE_INSERT_COLUMNS, TABLES, evidenceLookupKey, hashSetFromHexArrayParam } from './tables.js';
import type { EvidenceRow } from './tables.js';
import type { Warehouse } from './warehouse.js';

/** Hashes per presence query: keeps the bound arrays small. */
const LOOKUP_CHUNK = 2_000;

export interface DedupOutcome {
  inserted: number;
  duplicates: number;
  /** Rows found in some of their tables but not all (an insert cut short by a crash): cleared and written again. */
  repaired: number;
}

/** Drops repeats of (tenant, content hash) within a batch, keeping the first; sorted so a retry encodes identically. */
export function uniqueByTenantAndHash(rows: readonly EvidenceRow[]): EvidenceRow[] {
  const byKey = new Map<string, EvidenceRow>();
  for (const row of rows) {
    const key = rowKey(row);
    if (!byKey.has(key)) byKey.set(key, row);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/**
 * Every table one evidence insert writes: `evidence_v1` and each table a
 * materialized view fills from it (which ones depends on the record type).
 * `holds` finds which of a tenant's rows a table has (by primary-key prefix,
 * so it reads a few granules); `clear` deletes them. A test checks this list
 * against the views in the schema, so a new view cannot be left out.
 */
interface EvidenceCopy {
  table: string;
  appliesTo(row: EvidenceRow): boolean;
  /** SELECT of one column `k` (the row key, see `copyKey`) for the rows of `group` present in the table. */
  holds(db: string, p: GroupParams): string;
  /** DELETE of those rows (absent for a key-value table, where a write replaces). */
  clear?(db: string, p: GroupParams): string;
}

/** Bound parameter names of one tenant's group of rows (suffixed so the groups share one query). */
interface GroupParams {
  tenant: string;
  hashes: string;
  models: string;
  stages: string;
  runs: string;
  from: string;
  to: string;
  shards: string;
  leaves: string;
  lookupKeys: string;
  incidentIds: string;
  incidentVersions: string;
}

const byHash = (p: GroupParams) => `tenant = {${p.tenant}:String} AND content_hash IN ${hashSetFromHexArrayParam(p.hashes)}`;
const keyOf = `concat(tenant, ':', lower(hex(content_hash)))`;

export const EVIDENCE_COPIES: readonly EvidenceCopy[] = [
  {
    table: TABLES.evidence,
    appliesTo: () => true,
    holds: (db, p) =>
      `SELECT ${keyOf} AS k FROM ${db}.${TABLES.evidence} WHERE ${byHash(p)} AND model_id IN {${p.models}:Array(String)} AND stage IN {${p.stages}:Array(String)}
       AND occurred_at >= {${p.from}:DateTime64(6, 'UTC')} AND occurred_at <= {${p.to}:DateTime64(6, 'UTC')}`,
    clear: (db, p) => `DELETE FROM ${db}.${TABLES.evidence} WHERE ${byHash(p)}`,
  },
  {
    table: TABLES.evidenceByHash,
    appliesTo: () => true,
    holds: (db, p) => `SELECT ${keyOf} AS k FROM ${db}.${TABLES.evidenceByHash} WHERE ${byHash(p)}`,
    clear: (db, p) => `DELETE FROM ${db}.${TABLES.evidenceByHash} WHERE ${byHash(p)}`,
  },
  {
    table: TABLES.evidenceByRun,
    appliesTo: () => true,
    holds: (db, p) => `SELECT ${keyOf} AS k FROM ${db}.${TABLES.evidenceByRun} WHERE ${byHash(p)} AND run_id IN {${p.runs}:Array(String)}`,
    clear: (db, p) => `DELETE FROM ${db}.${TABLES.evidenceByRun} WHERE ${byHash(p)}`,
  },
  {
    table: TABLES.logLeaves,
    appliesTo: () => true,
    holds: (db, p) =>
      `SELECT ${keyOf} AS k FROM ${db}.${TABLES.logLeaves} WHERE shard IN {${p.shards}:Array(UInt16)} AND leaf_index IN {${p.leaves}:Array(UInt64)} AND ${byHash(p)}`,
    clear: (db, p) => `DELETE FROM ${db}.${TABLES.logLeaves} WHERE ${byHash(p)}`,
  },
  {
    // Key-value: a second write of a key replaces the first, so it never needs clearing.
    table: TABLES.evidenceBlobs,
    appliesTo: () => true,
    holds: (db, p) => `SELECT lookup_key AS k FROM ${db}.${TABLES.evidenceBlobs} WHERE lookup_key IN {${p.lookupKeys}:Array(String)} AND tenant = {${p.tenant}:String}`,
  },
  {
    table: TABLES.inference,
    appliesTo: (row) => row.record_type === 'InferenceRecord',
    holds: (db, p) =>
      `SELECT ${keyOf} AS k FROM ${db}.${TABLES.inference} WHERE ${byHash(p)} AND model_id IN {${p.models}:Array(String)}
       AND occurred_at >= {${p.from}:DateTime64(6, 'UTC')} AND occurred_at <= {${p.to}:DateTime64(6, 'UTC')}`,
    clear: (db, p) => `DELETE FROM ${db}.${TABLES.inference} WHERE ${byHash(p)}`,
  },
  {
    table: TABLES.studyResults,
    appliesTo: (row) => row.record_type === 'StudyResult',
    holds: (db, p) => `SELECT ${keyOf} AS k FROM ${db}.${TABLES.studyResults} WHERE ${byHash(p)} AND model_id IN {${p.models}:Array(String)}`,
    clear: (db, p) => `DELETE FROM ${db}.${TABLES.studyResults} WHERE ${byHash(p)}`,
  },
  {
    // No content hash here: an incident row is (incident_id, version = notarized_at in µs), see migration 0006.
    table: TABLES.incidents,
    appliesTo: (row) => row.record_type === 'Incident',
    holds: (db, p) =>
      `SELECT concat(tenant, ':', incident_id, ':', toString(version)) AS k FROM ${db}.${TABLES.incidents}
       WHERE tenant = {${p.tenant}:String} AND incident_id IN {${p.incidentIds}:Array(String)} AND version IN {${p.incidentVersions}:Array(UInt64)}`,
    clear: (db, p) =>
      `DELETE FROM ${db}.${TABLES.incidents} WHERE tenant = {${p.tenant}:String} AND incident_id IN {${p.incidentIds}:Array(String)} AND version IN {${p.incidentVersions}:Array(UInt64)}`,
  },
];

/**
 * Inserts evidence so that every table holds each (tenant, content hash)
 * exactly once, after any number of crashes at any point and however a
 * redelivery is cut.
 *
 * Each row is looked up in every table its insert writes (one query per
 * batch): skipped if in all, written if in none, its copies deleted and written
 * again if in some (an insert a crash cut short). Why this holds, and why no
 * dedup token: docs/invariants.md (nothing twice). One writer per (tenant, hash).
 */
export async function insertEvidenceDeduplicated(warehouse: Warehouse, rows: readonly EvidenceRow[]): Promise<DedupOutcome> {
  const unique = uniqueByTenantAndHash(rows);
  if (unique.length === 0) return { inserted: 0, duplicates: rows.length, repaired: 0 };
  await waitForDeletes(warehouse);
  const present = await copiesPresent(warehouse, unique);
  const fresh: EvidenceRow[] = [];
  const partial: EvidenceRow[] = [];
  for (const row of unique) {
    const expected = EVIDENCE_COPIES.filter((c) => c.appliesTo(row)).map((c) => c.table);
    const found = present.get(rowKey(row)) ?? new Set<string>();
    const held = expected.filter((t) => found.has(t));
    if (held.length === 0) fresh.push(row);
    else if (held.length < expected.length) partial.push(row);
  }
  if (partial.length > 0) await clearCopies(warehouse, partial);
  const toWrite = [...partial, ...fresh];
  if (toWrite.length > 0) {
    await warehouse.insert(TABLES.evidence, toWrite as unknown as Record<string, unknown>[], { columns: EVIDENCE_INSERT_COLUMNS, deduplicate: false });
  }
  return { inserted: fresh.length, duplicates: rows.length - toWrite.length, repaired: partial.length };
}

function rowKey(row: EvidenceRow): string {
  return `${row.tenant}:${row.content_hash_hex}`;
}

/** What `holds` returns for `row` in `table`. */
function copyKeyFor(table: string, row: EvidenceRow): string {
  return table === TABLES.incidents ? `${row.tenant}:${row.manifest_id}:${incidentVersion(row)}` : rowKey(row);
}

/** The incidents view's version: notarized_at in microseconds. */
function incidentVersion(row: EvidenceRow): string {
  const ms = Date.parse(`${row.notarized_at.replace(' ', 'T')}Z`);
  const micros = row.notarized_at.match(/\.(\d{6})$/)?.[1]?.slice(3) ?? '000';
  return (BigInt(ms) * 1000n + BigInt(micros)).toString();
}

/** For each row key, the tables that hold a copy of it. */
async function copiesPresent(warehouse: Warehouse, rows: readonly EvidenceRow[]): Promise<Map<string, Set<string>>> {
  const rowFor = new Map<string, EvidenceRow>();
  for (const row of rows) {
    rowFor.set(rowKey(row), row);
    if (row.record_type === 'Incident') rowFor.set(copyKeyFor(TABLES.incidents, row), row);
  }
  const found = new Map<string, Set<string>>();
  for (const { sql, params } of presenceQueries(warehouse.database, rows)) {
    for (const hit of await warehouse.query<{ t: string; k: string }>(sql, params)) {
      const row = rowFor.get(hit.k);
      if (!row || copyKeyFor(hit.t, row) !== hit.k) continue;
      const tables = found.get(rowKey(row)) ?? new Set<string>();
      tables.add(hit.t);
      found.set(rowKey(row), tables);
    }
  }
  return found;
}

/** One query per tenant chunk: a UNION ALL of every applicable table's lookup, each row tagged with its table. */
function presenceQueries(db: string, rows: readonly EvidenceRow[]): { sql: string; params: Record<string, unknown> }[] {
  const queries: { sql: string; params: Record<string, unknown> }[] = [];
  for (const group of groupsOf(rows)) {
    const params: Record<string, unknown> = {};
    const p = bind(params, group);
    const parts = EVIDENCE_COPIES.filter((c) => group.some((r) => c.appliesTo(r))).map(
      (c) => `SELECT '${c.table}' AS t, k FROM (${c.holds(db, p)})`,
    );
    queries.push({ sql: parts.join('\nUNION ALL\n'), params });
  }
  return queries;
}

/** Rows split by tenant, at most LOOKUP_CHUNK per group. */
function groupsOf(rows: readonly EvidenceRow[]): EvidenceRow[][] {
  const byTenant = new Map<string, EvidenceRow[]>();
  for (const row of rows) byTenant.set(row.tenant, [...(byTenant.get(row.tenant) ?? []), row]);
  const groups: EvidenceRow[][] = [];
  for (const list of byTenant.values()) for (let i = 0; i < list.length; i += LOOKUP_CHUNK) groups.push(list.slice(i, i + LOOKUP_CHUNK));
  return groups;
}

/** Binds one group's values and returns their parameter names. */
function bind(params: Record<string, unknown>, group: readonly EvidenceRow[]): GroupParams {
  const times = group.map((r) => r.occurred_at).sort();
  const incidents = group.filter((r) => r.record_type === 'Incident');
  const names: GroupParams = {
    tenant: 'g_tenant', hashes: 'g_hashes', models: 'g_models', stages: 'g_stages', runs: 'g_runs', from: 'g_from', to: 'g_to',
    shards: 'g_shards', leaves: 'g_leaves', lookupKeys: 'g_lookup_keys', incidentIds: 'g_incident_ids', incidentVersions: 'g_incident_versions',
  };
  const distinct = <T>(values: T[]) => [...new Set(values)];
  Object.assign(params, {
    [names.tenant]: group[0]!.tenant,
    [names.hashes]: group.map((r) => r.content_hash_hex),
    [names.models]: distinct(group.map((r) => r.model_id)),
    [names.stages]: distinct(group.map((r) => r.stage)),
    [names.runs]: distinct(group.map((r) => r.run_id)),
    [names.from]: times[0]!,
    [names.to]: times[times.length - 1]!,
    [names.shards]: distinct(group.map((r) => r.shard)),
    [names.leaves]: distinct(group.map((r) => r.leaf_index)),
    [names.lookupKeys]: group.map((r) => evidenceLookupKey(r.tenant, r.content_hash_hex)),
    [names.incidentIds]: distinct(incidents.map((r) => r.manifest_id)),
    [names.incidentVersions]: distinct(incidents.map((r) => Number(incidentVersion(r)))),
  });
  return names;
}

/** Deletes every copy of `rows` from every table that has them, waiting until each delete is applied. */
async function clearCopies(warehouse: Warehouse, rows: readonly EvidenceRow[]): Promise<void> {
  // If a delete fails half-way, the next batch waits for what the engine still has to apply.
  settled.delete(warehouse);
  for (const group of groupsOf(rows)) {
    for (const copy of EVIDENCE_COPIES) {
      if (!copy.clear || !group.some((r) => copy.appliesTo(r))) continue;
      const params: Record<string, unknown> = {};
      const p = bind(params, group);
      await warehouse.exec(`${copy.clear(warehouse.database, p)} SETTINGS lightweight_deletes_sync = 2`, params);
    }
  }
  settled.add(warehouse);
}

/** Warehouses on which no delete of ours can be pending (checked once after opening, kept while our deletes complete). */
const settled = new WeakSet<Warehouse>();

/**
 * A delete cut short by a crash is finished by the engine after restart, in
 * the background: until then its rows would still be seen as present (and
 * then vanish). So lookups wait until no delete on these tables is pending.
 */
async function waitForDeletes(warehouse: Warehouse): Promise<void> {
  if (settled.has(warehouse)) return;
  const tables = EVIDENCE_COPIES.map((c) => c.table);
  for (let delay = 20; ; delay = Math.min(delay * 2, 1_000)) {
    const [pending] = await warehouse.query<{ n: string }>(
      `SELECT count() AS n FROM system.mutations WHERE database = {db:String} AND table IN {tables:Array(String)} AND NOT is_done`,
      { db: warehouse.database, tables },
    );
    if (Number(pending?.n ?? 0) === 0) {
      settled.add(warehouse);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
