export { buildGatewayApp } from './app.js';
export type { GatewayEmitter, GatewayErrorCode, GatewayOptions } from './app.js';
export { StaticTokenVerifier, TokenFileError, hashToken, loadTokenFile } from './tokens.js';
export type { StoredToken, TokenGrant, TokenRole, TokenVerifier } from './tokens.js';
export { parseManifestBody } from './request-body.js';
export type { ParsedBody, RecordSignature, RequestIssue } from './request-body.js';
export { gatewayEnvShape, loadGatewayConfig } from './config.js';
export type { GatewayConfig } from './config.js';
