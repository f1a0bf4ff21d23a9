import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '@probity/warehouse';
import type { Warehouse } from '@probity/warehouse';
import { infraScript, runProcess, repoRoot } from '../helpers/index.js';

/**
 * Plumbing of the server adapter (@clickhouse/client) against Debian's
 * clickhouse-server 18.16: connect, DDL, insert, select, stream, errors.
 * 18.16 predates bound parameters ({name:Type} → "Unknown setting param_n"),
 * async_insert and deduplication tokens, so the real schema and the
 * parameterised queries are not run here; warehouse.test.ts runs them
 * against any modern server when CLICKHOUSE_URL is set.
 */
const HTTP_PORT = process.env.CLICKHOUSE_SERVER_HTTP_PORT ?? '18123';
const url = `http://127.0.0.1:${HTTP_PORT}`;
const database = `smoke_${randomBytes(6).toString('hex')}`;
let startedHere = false;
let warehouse: Warehouse;

beforeAll(async () => {
  const install = await runProcess('bash', [`${repoRoot}/infra/interop/install-clickhouse-server.sh`], { timeoutMs: 600_000 });
  expect(install.code, install.stderr).toBe(0);
  const status = await infraScript('clickhouse-server.sh', ['status']);
  if (status.code !== 0) {
    const start = await infraScript('clickhouse-server.sh', ['start'], { timeoutMs: 60_000 });
    expect(start.code, start.stderr).toBe(0);
    startedHere = true;
  }
  warehouse = await openWarehouse({ clickhouseUrl: url, database, dataDir: '/nonexistent-unused' });
}, 600_000);

afterAll(async () => {
  await warehouse?.exec(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
  await warehouse?.close();
  if (startedHere) {
    const stop = await infraScript('clickhouse-server.sh', ['stop'], { timeoutMs: 60_000 });
    expect(stop.code, stop.stderr).toBe(0);
  }
});

describe('server adapter against Debian clickhouse-server 18.16', () => {
  it('pings', async () => {
    const { version, latencyMs } = await warehouse.ping();
    expect(warehouse.kind).toBe('clickhouse-server');
    expect(version).toMatch(/^18\.16\./);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('creates a table, inserts objects and a Buffer, selects and streams them back', async () => {
    const table = `t_${randomBytes(4).toString('hex')}`;
    await warehouse.exec(`CREATE TABLE ${table} (id UInt64, name String, tags Array(String)) ENGINE = MergeTree ORDER BY id`);
    await warehouse.insert(table, [
      { id: 1, name: "o'brien", tags: ['a'] },
      { id: 2, name: 'ünïcode', tags: [] },
    ]);
    await warehouse.insert(table, Buffer.from('{"id":3,"name":"c","tags":["x","y"]}\n'));
    expect(await warehouse.query(`SELECT id, name, tags FROM ${table} ORDER BY id`)).toEqual([
      { id: '1', name: "o'brien", tags: ['a'] },
      { id: '2', name: 'ünïcode', tags: [] },
      { id: '3', name: 'c', tags: ['x', 'y'] },
    ]);
    const streamed: unknown[] = [];
    for await (const row of warehouse.queryStream(`SELECT id FROM ${table} ORDER BY id`)) streamed.push(row.id);
    expect(streamed).toEqual(['1', '2', '3']);
  });

  it('accepts the inserts the sink sends without engine deduplication, and keeps both copies of a repeat', async () => {
    // The sink decides what is new from what the tables hold and passes deduplicate: false (see insertEvidenceDeduplicated).
    const table = `t_${randomBytes(4).toString('hex')}`;
    await warehouse.exec(`CREATE TABLE ${table} (id UInt64) ENGINE = MergeTree ORDER BY id`);
    await warehouse.insert(table, [{ id: 7 }], { deduplicate: false });
    await warehouse.insert(table, [{ id: 7 }], { deduplicate: false });
    expect(await warehouse.query(`SELECT id FROM ${table}`)).toEqual([{ id: '7' }, { id: '7' }]);
  });

  it('maps errors to codes without echoing data', async () => {
    await expect(warehouse.query("SELEC 'alice@example.com'")).rejects.toMatchObject({ code: 'QUERY_FAILED', details: { clickhouseCode: 62 } });
    const table = `t_${randomBytes(4).toString('hex')}`;
    await warehouse.exec(`CREATE TABLE ${table} (id UInt64) ENGINE = MergeTree ORDER BY id`);
    const err = await warehouse.insert(table, [{ id: 'john.doe@example.com' }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INSERT_FAILED' });
    expect(JSON.stringify(err) + (err as Error).message).not.toMatch(/john/i);
    // What this old server cannot do is refused by name, not silently skipped.
    await expect(warehouse.insert(table, [{ id: 1 }], { deduplicationToken: 'x' })).rejects.toMatchObject({ code: 'UNSUPPORTED_BY_SERVER' });
    await expect(warehouse.query('SELECT {n:UInt8} AS n', { n: 1 })).rejects.toMatchObject({ code: 'QUERY_FAILED', details: { clickhouseCode: 115 } });
  });
});
