import { createHash } from 'node:crypto';
import { EVIDENCE_INSERT_COLUMNS, TABLES, hashSetFromHexArrayParam } from './tables.js';
import type { EvidenceRow } from './tables.js';
import type { Warehouse } from './warehouse.js';

/** Hashes per existence query: keeps the bound array small. */
const LOOKUP_CHUNK = 2_000;

export interface DedupOutcome {
  inserted: number;
  duplicates: number;
}

/** Drops repeats of (tenant, content hash) within a batch, keeping the first; sorted so a retry encodes identically. */
export function uniqueByTenantAndHash(rows: readonly EvidenceRow[]): EvidenceRow[] {
  const byKey = new Map<string, EvidenceRow>();
  for (const row of rows) {
    const key = `${row.tenant}\u0000${row.content_hash_hex}`;
    if (!byKey.has(key)) byKey.set(key, row);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** Token for an insert of exactly these (tenant, hash) pairs: content-addressed rows make hashes a sufficient identity. */
export function deduplicationTokenFor(rows: readonly EvidenceRow[]): string {
  const h = createHash('sha256');
  for (const row of rows) h.update(row.tenant).update('\u0000').update(row.content_hash_hex).update('\n');
  return `evidence:${h.digest('hex')}`;
}

/**
 * Inserts evidence so that a content hash never gets a second row, however a
 * redelivered batch is cut.
 *
 * 1. Repeats within the batch are dropped.
 * 2. Hashes already present are found with a point query on
 *    `evidence_by_hash_v1` (ORDER BY (tenant, content_hash), filled by a
 *    materialized view in the same insert, so it is never behind).
 * 3. The rest is inserted with a deduplication token derived from its
 *    (tenant, hash) set: if a previous attempt of exactly this insert
 *    reached the table after the check (an insert that timed out on the
 *    client but completed on the server), ClickHouse drops the retry.
 *
 * Correct only with one writer per tenant at a time — the sink's
 * partition ownership (same content hash → same partition → same consumer)
 * gives that. Two concurrent writers could both pass step 2.
 */
export async function insertEvidenceDeduplicated(warehouse: Warehouse, rows: readonly EvidenceRow[]): Promise<DedupOutcome> {
  const unique = uniqueByTenantAndHash(rows);
  const existing = await existingKeys(warehouse, unique);
  const fresh = unique.filter((row) => !existing.has(`${row.tenant}\u0000${row.content_hash_hex}`));
  if (fresh.length > 0) {
    await warehouse.insert(TABLES.evidence, fresh as unknown as Record<string, unknown>[], {
      columns: EVIDENCE_INSERT_COLUMNS,
      deduplicationToken: deduplicationTokenFor(fresh),
    });
  }
  return { inserted: fresh.length, duplicates: rows.length - fresh.length };
}

async function existingKeys(warehouse: Warehouse, rows: readonly EvidenceRow[]): Promise<Set<string>> {
  const hashesByTenant = new Map<string, string[]>();
  for (const row of rows) {
    const list = hashesByTenant.get(row.tenant) ?? [];
    list.push(row.content_hash_hex);
    hashesByTenant.set(row.tenant, list);
  }
  const found = new Set<string>();
  for (const [tenant, hashes] of hashesByTenant) {
    for (let i = 0; i < hashes.length; i += LOOKUP_CHUNK) {
      const chunk = hashes.slice(i, i + LOOKUP_CHUNK);
      const hits = await warehouse.query<{ h: string }>(
        `SELECT DISTINCT lower(hex(content_hash)) AS h FROM ${TABLES.evidenceByHash}
         WHERE tenant = {tenant:String} AND content_hash IN ${hashSetFromHexArrayParam('hashes')}`,
        { tenant, hashes: chunk },
      );
      for (const hit of hits) found.add(`${tenant}\u0000${hit.h}`);
    }
  }
  return found;
}
