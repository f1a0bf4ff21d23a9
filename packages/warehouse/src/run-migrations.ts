import { WarehouseError } from './errors.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';
import { assertIdentifier } from './warehouse.js';
import type { Warehouse } from './warehouse.js';

/** Checks the list is 1..N without gaps or repeats, and each name carries its number. */
export function assertMigrationOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const expected = i + 1;
    if (m.version !== expected || !m.name.startsWith(String(expected).padStart(4, '0') + '_')) {
      throw new WarehouseError('MIGRATION_FAILED', `migration ${m.name} has version ${m.version}; expected ${expected}: migrations are numbered max + 1`);
    }
  });
}

/**
 * Applies pending migrations in order and records each in
 * `schema_migrations`. Safe to run at every start and from two processes at
 * once: every statement is `IF NOT EXISTS`, and the record table keeps one
 * row per version.
 */
export async function runMigrations(
  warehouse: Warehouse,
  options: { database: string; migrations?: readonly Migration[] },
): Promise<{ applied: string[] }> {
  const db = assertIdentifier(options.database, 'database');
  const migrations = options.migrations ?? MIGRATIONS;
  assertMigrationOrder(migrations);
  const applied: string[] = [];
  try {
    await warehouse.exec(`CREATE DATABASE IF NOT EXISTS ${db}`);
    await warehouse.exec(
      `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, applied_at DateTime64(3, 'UTC'))
       ENGINE = ReplacingMergeTree ORDER BY version`,
    );
    const done = await warehouse.query<{ version: number }>(`SELECT DISTINCT version FROM ${db}.schema_migrations`);
    const doneVersions = new Set(done.map((r) => Number(r.version)));
    for (const migration of migrations) {
      if (doneVersions.has(migration.version)) continue;
      for (const statement of migration.statements(db)) {
        if (typeof statement === 'string') await warehouse.exec(statement);
        else if ((await warehouse.query(statement.skipWhen)).length === 0) await warehouse.exec(statement.sql);
      }
      await warehouse.insert(`${db}.schema_migrations`, [
        { version: migration.version, name: migration.name, applied_at: new Date().toISOString() },
      ]);
      applied.push(migration.name);
    }
  } catch (error) {
    const code = error instanceof WarehouseError ? error.code : undefined;
    if (code === 'WAREHOUSE_UNAVAILABLE') throw error;
    throw new WarehouseError('MIGRATION_FAILED', `migrations failed after applying [${applied.join(', ')}]: ${(error as Error).message}`, {
      cause: error,
      retriable: false,
      details: { applied, ...(error instanceof WarehouseError ? { reason: error.code, ...error.details } : {}) },
    });
  }
  return { applied };
}
