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

  it('makes every CREATE idempotent', () => {
    for (const m of MIGRATIONS) {
      for (const s of m.statements('probity')) expect(s).toMatch(/^\s*CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS probity\./);
    }
  });
});
