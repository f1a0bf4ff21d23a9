/** Settings-free row as ClickHouse returns it in JSONEachRow (64-bit integers quoted as strings). */
export type WarehouseRow = Record<string, unknown>;

export interface InsertOptions {
  /**
   * Makes a retried, byte-identical insert a no-op (ClickHouse
   * `insert_deduplication_token`; needs `non_replicated_deduplication_window`
   * on the table, which every table from our migrations sets).
   */
  deduplicationToken?: string;
  /**
   * false turns the engine's insert deduplication off for this insert
   * (`insert_deduplicate = 0`): for a caller that decides what is new from
   * what the tables hold, and must be able to write again a row it deleted.
   * @defaultValue true
   */
  deduplicate?: boolean;
  /**
   * Explicit column list. Needed for Buffer payloads that fill EPHEMERAL
   * input columns (`content_hash_hex`…). For row objects it defaults to the
   * union of the rows' keys.
   */
  columns?: readonly string[];
}

/**
 * The one interface to ClickHouse. Two adapters (embedded chDB, server via
 * `@clickhouse/client`) run the same SQL. Parameters are ClickHouse bound
 * parameters `{name:Type}`: values never enter the SQL text.
 */
export interface Warehouse {
  readonly kind: 'chdb' | 'clickhouse-server';
  readonly database: string;
  /** SELECT with bound parameters; rows as objects (JSONEachRow; 64-bit integers come back as strings). */
  query<Row = WarehouseRow>(sql: string, params?: Record<string, unknown>): Promise<Row[]>;
  /** Stream rows for large exports without holding all in memory. Break out of the loop to cancel. */
  queryStream(sql: string, params?: Record<string, unknown>): AsyncIterable<WarehouseRow>;
  /**
   * DDL / statements without result. `background: true` is for long
   * maintenance (a retention purge): the embedded engine then runs it on a
   * session of its own, so inserts and reads do not queue behind it.
   */
  exec(sql: string, params?: Record<string, unknown>, options?: { background?: boolean }): Promise<void>;
  /** Insert rows (objects, or a JSONEachRow Buffer); async_insert is always off, so a resolved insert is durable. */
  insert(table: string, rows: readonly WarehouseRow[] | Buffer, options?: InsertOptions): Promise<void>;
  ping(): Promise<{ version: string; latencyMs: number }>;
  /** Waits for running operations, then releases connections. Idempotent. */
  close(): Promise<void>;
}

/** The subset of a pino logger the warehouse uses. Never given row data. */
export interface WarehouseLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WarehouseConfig {
  /** When set, use this ClickHouse server (HTTP interface); otherwise embedded chDB in `dataDir`. */
  clickhouseUrl?: string;
  /** Database holding Probity's tables; created when missing. */
  database: string;
  /** chDB data directory (one process at a time may open it). Ignored for a server. */
  dataDir: string;
  logger?: WarehouseLogger;
  /**
   * Per-request timeout for the server adapter, in ms.
   * @defaultValue 30000
   */
  requestTimeoutMs?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Database and table names go into SQL text, so they must be plain identifiers. */
export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`${what} must match ${IDENTIFIER.source}`);
  return name;
}

/** `table` or `database.table`, each part a plain identifier. */
export function assertTableName(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2) throw new TypeError('table must be `name` or `database.name`');
  for (const part of parts) assertIdentifier(part, 'table name');
  return name;
}
