import { loadRequirementSet, type RequirementSet } from '@probity/compliance';
import { existsSync } from 'node:fs';
import { NotaryKeyStore, publicKeyringPath } from '@probity/keystore';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { defaultCatalogs, type Catalogs } from '@probity/catalog';
import type { Logger } from '@probity/logger';
import { WarehouseError, type Warehouse } from '@probity/warehouse';
import { authenticate } from './auth.js';
import { probityControlCatalog, type ControlCatalog } from './coverage/control-catalog.js';
import { AuditApiError } from './errors.js';
import { TransparencyLog } from './log/transparency-log.js';
import { openApiDocument } from './openapi.js';
import { EvidenceRepository } from './query/evidence-repository.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAuditPackageRoutes } from './routes/audit-package.js';
import { registerComplianceRoutes } from './routes/compliance.js';
import { registerCatalogRoutes } from './routes/catalogs.js';
import { registerCoverageRoutes } from './routes/coverage.js';
import { registerDlqRoutes } from './routes/dlq.js';
import { registerHoldRoutes } from './routes/holds.js';
import { LegalHolds, type EvidenceEmitter } from './holds/legal-holds.js';
import type { DlqService } from './dlq/dlq-service.js';
import { registerEvidenceRoutes } from './routes/evidence.js';
import { registerGateRoutes } from './routes/gates.js';
import type { GateService } from './gates/gate-service.js';
import { registerLogRoutes } from './routes/log.js';
import { registerPublicRoutes } from './routes/public.js';
import { warehouseTokenVerifier, type TokenVerifier } from './tokens/token-verifier.js';

const ROUTES = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** Method and URL of every route the app registered (HEAD excluded), for checking the OpenAPI document. */
export function registeredRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return ROUTES.get(app) ?? [];
}

export interface AuditAppOptions {
  warehouse: Warehouse;
  /** A pino logger (e.g. from @probity/logger); none logs nothing. */
  logger?: Logger;
  /** @defaultValue warehouseTokenVerifier(warehouse) */
  tokenVerifier?: TokenVerifier;
  /** The notary's keys directory (holding keyring.json), served at /v1/keys. */
  notaryKeysDir?: string;
  /** @defaultValue the catalog of @probity/catalog; null = none (coverage uses the controls seen) */
  catalog?: ControlCatalog | null;
  /** Which records count as evidence for which control. @defaultValue the shipped set, probity-default */
  requirements?: RequirementSet;
  /** Framework and crosswalk data served at /v1/catalogs and /v1/crosswalks. @defaultValue the data files of @probity/catalog */
  catalogs?: Catalogs;
  /** Share one across apps of a process to keep one stored-hash cache. @defaultValue a new one */
  transparencyLog?: TransparencyLog;
  /** Reads and replays the DLQ (needs Kafka); without it the /v1/dlq routes answer 503. The caller closes it. */
  dlq?: DlqService;
  /** Emits legal hold records (the agent SDK's emitter); without it the hold routes answer 503. The caller closes it. */
  emitter?: EvidenceEmitter;
  /** Promotion/deployment gates (POST /v1/gates/{gate}/check). @defaultValue none: the route answers 503 GATE_UNAVAILABLE */
  gates?: GateService;
}

/**
 * The auditors' HTTP API as a Fastify instance (not listening): the local
 * services process mounts it beside the sink (chDB: one data dir per
 * process); main.ts runs it alone against a ClickHouse server.
 */
export async function buildAuditApp(options: AuditAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    // Bodies are tiny admin requests.
    bodyLimit: 64 * 1024,
    // Path parameters of evidence hashes are 64 characters; nothing needs more.
    routerOptions: { maxParamLength: 128 },
  });
  const warehouse = options.warehouse;
  const repository = new EvidenceRepository(warehouse);
  const log = options.transparencyLog ?? new TransparencyLog(warehouse);
  const catalog = options.catalog === null ? undefined : (options.catalog ?? probityControlCatalog);

  const routes: { method: string; url: string }[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.addHook('onRequest', authenticate(options.tokenVerifier ?? warehouseTokenVerifier(warehouse)));

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AuditApiError) {
      if (error.status >= 500) request.log.error({ code: error.code, err: error.message }, 'audit API error');
      return reply.code(error.status).send(error.body());
    }
    const fastifyError = error as { statusCode?: number; code?: string; message?: string };
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      // Fastify's own rejections (unparseable JSON body, wrong content type, body too large).
      return reply.code(fastifyError.statusCode).send({ error: { code: 'BAD_REQUEST', message: fastifyError.message ?? 'bad request', parameter: 'body' } });
    }
    const code = error instanceof WarehouseError ? error.code : 'UNEXPECTED';
    // Never the message of a warehouse error: ClickHouse echoes row data.
    request.log.error({ code, details: error instanceof WarehouseError ? error.details : undefined }, 'audit API request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error; the server log has the details' } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });

  registerPublicRoutes(app, { warehouse, keysDir: options.notaryKeysDir, openapi: openApiDocument });
  registerEvidenceRoutes(app, { repository, log });
  registerLogRoutes(app, log);
  registerCoverageRoutes(app, { repository, catalog });
  const requirements = options.requirements ?? loadRequirementSet();
  registerComplianceRoutes(app, { repository, catalog, requirements, warehouse });
  registerAuditPackageRoutes(app, { repository, log, catalog, requirements, signing: packageSigning(options.notaryKeysDir) });
  registerCatalogRoutes(app, { catalogs: options.catalogs ? () => options.catalogs! : defaultCatalogs });
  registerAdminRoutes(app, warehouse);
  registerDlqRoutes(app, options.dlq);
  registerHoldRoutes(app, options.emitter ? new LegalHolds(warehouse, options.emitter) : undefined);
  registerGateRoutes(app, options.gates);

  return app;
}

/**
 * Audit package manifests are signed with the notary's current key (the
 * local services process holds it); without the keys directory (an API run
 * apart from the notary's keys) packages cannot be built.
 */
function packageSigning(keysDir: string | undefined) {
  if (!keysDir) return undefined;
  let store: NotaryKeyStore | undefined;
  return () => {
    if (!existsSync(publicKeyringPath(keysDir))) throw new AuditApiError('INTERNAL', `no notary keyring in ${keysDir}: packages cannot be signed`);
    store ??= new NotaryKeyStore(keysDir).openOrCreate();
    return { signer: store.signingKeyAt(new Date()), keyring: store.publicKeyring() };
  };
}
