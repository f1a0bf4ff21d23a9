import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations/index.js';
import { assertMigrationOrder } from './run-migrations.js';

describe('migrations list', () => {
  it('is numbered 1..N, max + 1, and lists every migration file', () => {
    expect(() => assertMigrationOrder(MIGRATIONS)).not.toThrow();
    const files = readdirSync(new URL('./migrations/', import.meta.url))
      .filter((f) => /^\d{4}_.*\.ts$/.test(f) && !f.endsWith('.test.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
  });

  it('rejects a gap', () => {
    const [first, , third] = MIGRATIONS;
    expect(() => assertMigrationOrder([first!, third!])).toThrow(expect.objectContaining({ code: 'MIGRATION_FAILED' }));
  });

  it('makes every statement safe to re-run', () => {
    // Upserts into a key-value (EmbeddedRocksDB) table rewrite the same keys: the only non-DDL allowed.
    const idempotentUpsertTargets = ['evidence_blobs_v2'];
    for (const m of MIGRATIONS) {
      for (const statement of m.statements('probity')) {
        if (typeof statement !== 'string') {
          // Conditional: run only when the check finds its effect missing.
          expect(statement.sql).toMatch(/^\s*ALTER TABLE probity\.\w+ REMOVE TTL$/);
          expect(statement.skipWhen).toMatch(/^\s*SELECT /);
          continue;
        }
        const s = statement;
        const upsert = /^\s*INSERT INTO probity\.(\w+)\s/.exec(s);
        if (upsert) expect(idempotentUpsertTargets, m.name).toContain(upsert[1]);
        else expect(s).toMatch(/^\s*(CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS|DROP (VIEW|TABLE) IF EXISTS) probity\./);
      }
    }
  });
});
