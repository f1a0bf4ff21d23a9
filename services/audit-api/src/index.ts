export { buildAuditApp, registeredRoutes } from './app.js';
export type { AuditAppOptions } from './app.js';
export { loadAuditApiConfig, auditApiEnvShape } from './config.js';
export type { AuditApiConfig } from './config.js';
export { AuditApiError } from './errors.js';
export type { AuditApiErrorCode } from './errors.js';
export { openApiDocument } from './openapi.js';
export { TENANT_HEADER } from './auth.js';
export { TransparencyLog } from './log/transparency-log.js';
export { EvidenceRepository } from './query/evidence-repository.js';

export type { StoredCheckpoint, InclusionAnswer, ConsistencyAnswer } from './log/transparency-log.js';
export { StoredHashes } from './log/stored-hashes.js';
export { probityControlCatalog } from './coverage/control-catalog.js';
export type { ControlCatalog, CatalogControl } from './coverage/control-catalog.js';
export { warehouseTokenVerifier } from './tokens/token-verifier.js';
export type { TokenVerifier, VerifiedToken, TokenVerifierOptions } from './tokens/token-verifier.js';
export {
  ROLES,
  ALL_TENANTS,
  createToken,
  listTokens,
  revokeToken,
  findTokenByHash,
  tokenHashHex,
  tokenIdOf,
  parseExpiresIn,
  isValidTenant,
} from './tokens/token-store.js';
export type { Role, TokenRecord, CreateTokenInput } from './tokens/token-store.js';
export { adminTokenPath, ensureBootstrapAdminToken } from './tokens/bootstrap.js';
export { DlqService } from './dlq/dlq-service.js';
export type { DlqServiceOptions, DlqListItem, DlqShowItem, DlqReplayOutcome, DlqReplayInfo } from './dlq/dlq-service.js';
export { describeDlqMessage, matchesDlqFilter, parseDlqEntryId, dlqEntryId, DLQ_REASONS } from './dlq/dlq-entry.js';
export type { DlqEntry, DlqEntryDetail, DlqFilter } from './dlq/dlq-entry.js';
export { LegalHolds } from './holds/legal-holds.js';
export type { EvidenceEmitter, HoldView, HoldScope, PlaceHoldInput } from './holds/legal-holds.js';
export { createHoldEmitter } from './holds/hold-emitter.js';
export type { HoldEmitterConfig, HoldEmitter } from './holds/hold-emitter.js';
export { GateService, GateError } from './gates/gate-service.js';
export type { BacktestReport, GateDecisionAnswer, GateErrorCode, GateServiceOptions } from './gates/gate-service.js';
export { readGateEvidence } from './gates/gate-evidence.js';
