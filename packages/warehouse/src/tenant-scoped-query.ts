import { WarehouseError } from './errors.js';
import { assertHash, hashFromHexParam, hashSetFromHexArrayParam, toClickHouseDateTime } from './tables.js';

type ColumnKind = 'string' | 'hash' | 'datetime' | 'date' | 'uint' | 'float' | 'bool' | 'stringArray' | 'bytes' | 'map';

interface ColumnSpec {
  kind: ColumnKind;
}

/** Tables a tenant may query, with the columns it may name. Identifiers come only from here. */
const QUERYABLE = {
  evidence_v1: {
    tenant: { kind: 'string' }, content_hash: { kind: 'hash' }, record_type: { kind: 'string' },
    schema_fingerprint: { kind: 'string' }, model_id: { kind: 'string' }, model_version: { kind: 'string' },
    stage: { kind: 'string' }, run_id: { kind: 'string' }, manifest_id: { kind: 'string' },
    occurred_at: { kind: 'datetime' }, notarized_at: { kind: 'datetime' }, principal: { kind: 'string' },
    controls: { kind: 'stringArray' }, shard: { kind: 'uint' }, leaf_index: { kind: 'uint' }, record: { kind: 'bytes' },
    record_json: { kind: 'string' }, envelope_json: { kind: 'string' }, ingest_partition: { kind: 'uint' },
    ingest_offset: { kind: 'uint' }, retention_until: { kind: 'date' },
  },
  evidence_by_hash_v1: {
    tenant: { kind: 'string' }, content_hash: { kind: 'hash' }, model_id: { kind: 'string' }, stage: { kind: 'string' },
    occurred_at: { kind: 'datetime' }, run_id: { kind: 'string' }, retention_until: { kind: 'date' },
  },
  // One record's API columns in RocksDB keyed by `tenant:hex(hash)` (migration 0008): the point lookup's single Get.
  evidence_blobs_v2: {
    lookup_key: { kind: 'string' }, tenant: { kind: 'string' }, content_hash: { kind: 'hash' }, record_type: { kind: 'string' },
    schema_fingerprint: { kind: 'string' }, model_id: { kind: 'string' }, model_version: { kind: 'string' },
    stage: { kind: 'string' }, run_id: { kind: 'string' }, manifest_id: { kind: 'string' },
    occurred_at: { kind: 'datetime' }, notarized_at: { kind: 'datetime' }, principal: { kind: 'string' },
    controls: { kind: 'stringArray' }, shard: { kind: 'uint' }, leaf_index: { kind: 'uint' }, record: { kind: 'bytes' },
    record_json: { kind: 'string' }, envelope_json: { kind: 'string' }, retention_until: { kind: 'date' },
  },
  evidence_by_run_v1: {
    tenant: { kind: 'string' }, run_id: { kind: 'string' }, occurred_at: { kind: 'datetime' }, content_hash: { kind: 'hash' },
    model_id: { kind: 'string' }, stage: { kind: 'string' }, retention_until: { kind: 'date' },
  },
  inference_v1: {
    tenant: { kind: 'string' }, model_id: { kind: 'string' }, model_version: { kind: 'string' }, occurred_at: { kind: 'datetime' },
    content_hash: { kind: 'hash' }, features: { kind: 'map' }, prediction: { kind: 'float' }, label: { kind: 'float' },
    latency_ms: { kind: 'float' }, retention_until: { kind: 'date' },
  },
  study_results_v1: {
    tenant: { kind: 'string' }, study_id: { kind: 'string' }, study_kind: { kind: 'string' }, model_id: { kind: 'string' },
    started_at: { kind: 'datetime' }, finished_at: { kind: 'datetime' }, method: { kind: 'string' },
    library_version: { kind: 'string' }, parameters_json: { kind: 'string' }, result_json: { kind: 'string' },
    passed: { kind: 'bool' }, content_hash: { kind: 'hash' }, retention_until: { kind: 'date' },
  },
  incidents_v1: {
    tenant: { kind: 'string' }, incident_id: { kind: 'string' }, opened_at: { kind: 'datetime' }, kind: { kind: 'string' },
    severity: { kind: 'string' }, status: { kind: 'string' }, model_id: { kind: 'string' }, study_id: { kind: 'string' },
    summary: { kind: 'string' }, details_json: { kind: 'string' }, updated_at: { kind: 'datetime' }, version: { kind: 'uint' },
  },
} as const satisfies Record<string, Record<string, ColumnSpec>>;

export type QueryableTable = keyof typeof QUERYABLE;
export type QueryableColumn<T extends QueryableTable> = keyof (typeof QUERYABLE)[T] & string;
export type Comparison = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'has';
export type QueryValue = string | number | boolean | Date | readonly (string | number)[];

const OPERATORS: Record<Exclude<Comparison, 'in' | 'has'>, string> = { eq: '=', ne: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=' };

const PARAM_TYPES: Record<ColumnKind, string> = {
  string: 'String', hash: 'String', datetime: "DateTime64(6, 'UTC')", date: 'Date', uint: 'UInt64', float: 'Float64',
  bool: 'Bool', stringArray: 'String', bytes: 'String', map: 'String',
};

interface State {
  readonly table: QueryableTable;
  readonly tenant: string;
  readonly columns: readonly string[] | undefined;
  readonly predicates: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly order: readonly string[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly final: boolean;
}

function invalid(message: string): WarehouseError {
  return new WarehouseError('INVALID_QUERY', message);
}

/**
 * Select expression: hashes leave as hex, bytes as base64, never raw — under
 * new names (`content_hash_hex`, `record_base64`, the insert shape): an alias
 * equal to the column name would shadow the column in WHERE.
 */
function selectExpression(column: string, kind: ColumnKind): string {
  if (kind === 'hash') return `lower(hex(${column})) AS ${column}_hex`;
  if (kind === 'bytes') return `base64Encode(${column}) AS ${column}_base64`;
  return column;
}

function bindValue(kind: ColumnKind, value: unknown): unknown {
  if (kind === 'hash') return assertHash(String(value), 'hash value');
  if (kind === 'datetime') return value instanceof Date ? toClickHouseDateTime(value) : String(value);
  if (kind === 'date') return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  return value;
}

/**
 * The only way the audit API builds a query. Every query it produces starts
 * its WHERE clause with `tenant = {tenant:String}`; identifiers come from an
 * allow-list; every value is a bound parameter with a generated name, so no
 * caller input reaches the SQL text. Immutable: each method returns a new builder.
 */
export class TenantScopedQuery<T extends QueryableTable = QueryableTable> {
  private constructor(private readonly state: State) {}

  static from<T extends QueryableTable>(table: T, tenant: string): TenantScopedQuery<T> {
    if (!Object.hasOwn(QUERYABLE, table)) throw invalid('table is not queryable');
    if (typeof tenant !== 'string' || tenant.length === 0) throw invalid('tenant is required');
    return new TenantScopedQuery<T>({
      table, tenant, columns: undefined, predicates: [], params: { tenant }, order: [], limit: undefined, offset: undefined, final: false,
    });
  }

  select(columns: readonly QueryableColumn<T>[]): TenantScopedQuery<T> {
    if (columns.length === 0) throw invalid('select needs at least one column');
    columns.forEach((c) => this.spec(c));
    return this.with({ columns: [...columns] });
  }

  where(column: QueryableColumn<T>, comparison: Comparison, value: QueryValue): TenantScopedQuery<T> {
    const { kind } = this.spec(column);
    if (column === 'tenant') throw invalid('the tenant predicate is fixed by from()');
    if (kind === 'bytes' || kind === 'map') throw invalid(`cannot filter on ${column}`);
    const name = `p${this.state.predicates.length}`;
    const type = PARAM_TYPES[kind];
    let predicate: string;
    let bound: unknown;
    if (comparison === 'has') {
      if (kind !== 'stringArray') throw invalid(`'has' needs an array column`);
      predicate = `has(${column}, {${name}:String})`;
      bound = String(value);
    } else if (comparison === 'in') {
      if (!Array.isArray(value) || value.length === 0) throw invalid(`'in' needs a non-empty array`);
      bound = value.map((v) => bindValue(kind, v));
      predicate = kind === 'hash' ? `${column} IN ${hashSetFromHexArrayParam(name)}` : `${column} IN {${name}:Array(${type})}`;
    } else {
      if (Array.isArray(value)) throw invalid(`'${comparison}' needs a single value`);
      if (kind === 'stringArray') throw invalid(`use 'has' on array column ${column}`);
      bound = bindValue(kind, value);
      predicate = kind === 'hash' ? `${column} ${OPERATORS[comparison]} ${hashFromHexParam(name)}` : `${column} ${OPERATORS[comparison]} {${name}:${type}}`;
    }
    return this.with({ predicates: [...this.state.predicates, predicate], params: { ...this.state.params, [name]: bound } });
  }

  orderBy(column: QueryableColumn<T>, direction: 'asc' | 'desc' = 'asc'): TenantScopedQuery<T> {
    this.spec(column);
    if (direction !== 'asc' && direction !== 'desc') throw invalid('direction must be asc or desc');
    return this.with({ order: [...this.state.order, `${column} ${direction.toUpperCase()}`] });
  }

  limit(count: number, offset?: number): TenantScopedQuery<T> {
    if (!Number.isSafeInteger(count) || count < 1) throw invalid('limit must be a positive integer');
    if (offset !== undefined && (!Number.isSafeInteger(offset) || offset < 0)) throw invalid('offset must be a non-negative integer');
    return this.with({ limit: count, offset });
  }

  /** For ReplacingMergeTree tables (incidents): read the latest version of each row. */
  final(): TenantScopedQuery<T> {
    return this.with({ final: true });
  }

  build(): { sql: string; params: Record<string, unknown> } {
    const s = this.state;
    const specs = QUERYABLE[s.table] as Record<string, ColumnSpec>;
    const columns = s.columns ?? Object.keys(specs);
    const selectList = columns.map((c) => selectExpression(c, specs[c]!.kind)).join(', ');
    const where = ['tenant = {tenant:String}', ...s.predicates.map((p) => `(${p})`)].join(' AND ');
    let sql = `SELECT ${selectList} FROM ${s.table}${s.final ? ' FINAL' : ''} WHERE ${where}`;
    if (s.order.length > 0) sql += ` ORDER BY ${s.order.join(', ')}`;
    if (s.limit !== undefined) sql += ` LIMIT {limit:UInt64}`;
    if (s.offset !== undefined) sql += ` OFFSET {offset:UInt64}`;
    const params: Record<string, unknown> = { ...s.params };
    if (s.limit !== undefined) params.limit = s.limit;
    if (s.offset !== undefined) params.offset = s.offset;
    return { sql, params };
  }

  private spec(column: string): ColumnSpec {
    const specs = QUERYABLE[this.state.table] as Record<string, ColumnSpec>;
    if (typeof column !== 'string' || !Object.hasOwn(specs, column)) throw invalid('unknown column');
    return specs[column]!;
  }

  private with(patch: Partial<State>): TenantScopedQuery<T> {
    return new TenantScopedQuery<T>({ ...this.state, ...patch });
  }
}
