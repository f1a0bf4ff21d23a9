export { openWarehouse } from './open-warehouse.js';
export { openConfiguredWarehouse } from './open-configured.js';
export type { WarehouseEnv } from './open-configured.js';
export { runMigrations, assertMigrationOrder } from './run-migrations.js';
export { MIGRATIONS } from './migrations/index.js';
export { WarehouseError, summarizeClickHouseError } from './errors.js';
export { insertEvidenceDeduplicated, uniqueByTenantAndHash, EVIDENCE_COPIES } from './insert-evidence.js';
export { TenantScopedQuery } from './tenant-scoped-query.js';
export { purgeExpiredEvidence, readActiveLegalHolds } from './retention.js';
export type { PurgeReport, ActiveLegalHold } from './retention.js';
export { TenantRetention, readTenantRetention } from './tenant-retention.js';
export type { TenantRetentionOptions } from './tenant-retention.js';
export {
  TABLES,
  DEFAULT_RETENTION_YEARS,
  EVIDENCE_INSERT_COLUMNS,
  EVIDENCE_SELECT_LIST,
  INFERENCE_INSERT_COLUMNS,
  buildEvidenceRow,
  retentionUntil,
  evidenceLookupKey,
  toClickHouseDateTime,
  assertHash,
  hashFromHexParam,
  hashSetFromHexArrayParam,
} from './tables.js';
export type { Warehouse, WarehouseConfig, WarehouseLogger, WarehouseRow, InsertOptions } from './warehouse.js';
export type { WarehouseErrorCode, ClickHouseErrorSummary } from './errors.js';
export type { Migration, MigrationStatement } from './migrations/migration.js';
export type { DedupOutcome } from './insert-evidence.js';
export type { QueryableTable, QueryableColumn, Comparison, QueryValue } from './tenant-scoped-query.js';
export type {
  TableName,
  EvidenceRow,
  EvidenceInput,
  InferenceRow,
  StudyResultRow,
  IncidentRow,
  LogLeafRow,
  CheckpointRow,
  ApiTokenRow,
  TenantRow,
} from './tables.js';
