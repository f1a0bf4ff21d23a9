import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, drainStream } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { WarehouseError, isConnectionFailure, summarizeClickHouseError } from './errors.js';
import type { WarehouseErrorCode } from './errors.js';
import { INSERT_SETTINGS, insertPayload, noDeduplicationSettings } from './insert-payload.js';
import { assertIdentifier } from './warehouse.js';
import type { InsertOptions, Warehouse, WarehouseLogger, WarehouseRow } from './warehouse.js';

/** Server versions that know `async_insert` (21.11) and `insert_deduplication_token` (22.2). */
const MODERN_MAJOR = 22;

function mapError(error: unknown, fallback: WarehouseErrorCode, context: Record<string, unknown>): WarehouseError {
  if (error instanceof WarehouseError) return error;
  if (isConnectionFailure(error)) {
    // Connection errors hold no row data, so the cause may travel.
    return new WarehouseError('WAREHOUSE_UNAVAILABLE', `ClickHouse server unreachable: ${(error as Error).message}`, {
      cause: error,
      retriable: true,
      details: context,
    });
  }
  const e = error as { message?: string; code?: string };
  const numeric = e?.code !== undefined && /^\d+$/.test(e.code) ? Number(e.code) : undefined;
  const summary = summarizeClickHouseError(String(e?.message ?? error), numeric);
  // No `cause`: the server's message echoes input rows, and loggers print causes.
  return new WarehouseError(fallback, `${fallback === 'INSERT_FAILED' ? 'insert' : 'query'} failed: ${summary.summary}`, {
    details: { ...context, clickhouseCode: summary.clickhouseCode, clickhouseError: summary.clickhouseError },
  });
}

function hasParams(params: Record<string, unknown> | undefined): params is Record<string, unknown> {
  return params !== undefined && Object.keys(params).length > 0;
}

/**
 * A ClickHouse server over HTTP (`@clickhouse/client`). The client's own
 * logger is off: it logs failed requests with their arguments, and we log
 * our sanitized errors instead.
 */
export class ServerWarehouse implements Warehouse {
  readonly kind = 'clickhouse-server' as const;
  private closed = false;

  private constructor(
    readonly database: string,
    private readonly client: ClickHouseClient,
    private readonly modern: boolean,
    private readonly knowsDeduplicateInsert: boolean,
    private readonly logger: WarehouseLogger | undefined,
  ) {}

  static async open(options: { url: string; database: string; logger?: WarehouseLogger; requestTimeoutMs?: number }): Promise<ServerWarehouse> {
    const database = assertIdentifier(options.database, 'database');
    const base = {
      url: options.url,
      request_timeout: options.requestTimeoutMs ?? 30_000,
      // Below the server's keep_alive_timeout (3 s by default), or reused sockets hang up.
      keep_alive: { enabled: true, idle_socket_ttl: 2_500 },
      log: { level: ClickHouseLogLevel.OFF },
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 } satisfies ClickHouseSettings,
    };
    // The database may not exist yet, and a client bound to it would fail.
    const bootstrap = createClient(base);
    let version: string;
    let knowsDeduplicateInsert = false;
    try {
      const result = await bootstrap.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
      version = ((await result.json<{ version: string }>())[0]?.version) ?? '0';
      const known = await bootstrap.query({ query: "SELECT count() AS n FROM system.settings WHERE name = 'deduplicate_insert'", format: 'JSONEachRow' });
      knowsDeduplicateInsert = Number((await known.json<{ n: string }>())[0]?.n ?? 0) > 0;
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    } catch (error) {
      throw mapError(error, 'WAREHOUSE_UNAVAILABLE', { url: redactUrl(options.url) });
    } finally {
      await bootstrap.close();
    }
    const modern = Number(version.split('.')[0]) >= MODERN_MAJOR;
    if (!modern) {
      options.logger?.warn({ version }, 'ClickHouse server is older than 22: no bound parameters, no deduplication tokens; plumbing only');
    }
    const client = createClient({ ...base, database });
    options.logger?.info({ url: redactUrl(options.url), database, version }, 'ClickHouse server warehouse opened');
    return new ServerWarehouse(database, client, modern, knowsDeduplicateInsert, options.logger);
  }

  async query<Row = WarehouseRow>(sql: string, params?: Record<string, unknown>): Promise<Row[]> {
    this.assertOpen();
    try {
      const result = await this.client.query({ query: sql, format: 'JSONEachRow', ...(hasParams(params) ? { query_params: params } : {}) });
      return await result.json<Row>();
    } catch (error) {
      throw mapError(error, 'QUERY_FAILED', {});
    }
  }

  async *queryStream(sql: string, params?: Record<string, unknown>): AsyncIterable<WarehouseRow> {
    this.assertOpen();
    let result;
    try {
      result = await this.client.query({ query: sql, format: 'JSONEachRow', ...(hasParams(params) ? { query_params: params } : {}) });
    } catch (error) {
      throw mapError(error, 'QUERY_FAILED', {});
    }
    const stream = result.stream<WarehouseRow>();
    try {
      for await (const rows of stream) for (const row of rows) yield row.json<WarehouseRow>();
    } catch (error) {
      throw mapError(error, 'QUERY_FAILED', {});
    } finally {
      // An early `break` must release the socket.
      if (!stream.destroyed) stream.destroy();
    }
  }

  async exec(sql: string, params?: Record<string, unknown>): Promise<void> {
    this.assertOpen();
    try {
      await this.client.command({ query: sql, ...(hasParams(params) ? { query_params: params } : {}) });
    } catch (error) {
      throw mapError(error, 'QUERY_FAILED', {});
    }
  }

  async insert(table: string, rows: readonly WarehouseRow[] | Buffer, options: InsertOptions = {}): Promise<void> {
    this.assertOpen();
    const prepared = insertPayload(table, rows, options);
    if (!prepared) return;
    const { payload, columns } = prepared;
    const settings: ClickHouseSettings = {};
    if (this.modern) {
      Object.assign(settings, INSERT_SETTINGS);
      if (options.deduplicationToken !== undefined) settings.insert_deduplication_token = options.deduplicationToken;
      if (options.deduplicate === false) Object.assign(settings, noDeduplicationSettings(this.knowsDeduplicateInsert));
    } else if (options.deduplicationToken !== undefined) {
      throw new WarehouseError('UNSUPPORTED_BY_SERVER', 'this ClickHouse server is too old for insert_deduplication_token (needs 22.2+)', { details: { table } });
    }
    try {
      // exec + a byte stream, not client.insert: insert() JSON-encodes every
      // chunk of a JSON-format stream, so a pre-encoded Buffer would arrive
      // as {"type":"Buffer","data":[…]}. Both adapters send the same bytes.
      const columnList = columns ? ` (${columns.join(', ')})` : '';
      const result = await this.client.exec({
        query: `INSERT INTO ${table}${columnList} FORMAT JSONEachRow`,
        values: Readable.from([payload], { objectMode: false }),
        clickhouse_settings: settings,
      });
      await drainStream(result.stream);
    } catch (error) {
      const mapped = mapError(error, 'INSERT_FAILED', { table });
      this.logger?.warn({ table, code: mapped.code, details: mapped.details }, 'ClickHouse insert failed');
      throw mapped;
    }
  }

  async ping(): Promise<{ version: string; latencyMs: number }> {
    this.assertOpen();
    const started = performance.now();
    const [row] = await this.query<{ version: string }>('SELECT version() AS version');
    return { version: row?.version ?? 'unknown', latencyMs: performance.now() - started };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new WarehouseError('WAREHOUSE_CLOSED', 'warehouse is closed');
  }
}

/** Never log a password that came in the URL. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}
