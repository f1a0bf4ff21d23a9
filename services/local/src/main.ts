import { mkdirSync, writeFileSync } from 'node:fs';
import { DlqService, GateService, buildAuditApp, createHoldEmitter, ensureBootstrapAdminToken, warehouseTokenVerifier } from '@probity/audit-api';
import { PolicyStore } from '@probity/policy';
import { dataDirLayout } from '@probity/config';
import { createLogger } from '@probity/logger';
import { withNotaryPaths } from '@probity/notary';
import { loadLocalConfig } from './config.js';
import { startGateway, startLocalStack, startScheduler, type Component } from './stack.js';

/**
 * `probity up` starts this: the whole local stack in one process (chDB binds
 * one data directory per process). The audit API listens on
 * PROBITY_API_PORT: /healthz (warehouse), /healthz/stack (every component).
 */
const config = loadLocalConfig();
const logger = createLogger('probity-local', config.LOG_LEVEL);
const keysDir = withNotaryPaths(config).keysDir;

const stack = await startLocalStack(config, logger, async ({ warehouse, logger: log }) => {
  const components: Component[] = [];
  // Gateway (emitter) and API (auditor, admin) tokens live in one table.
  const tokens = warehouseTokenVerifier(warehouse);
  components.push(await startGateway(config, log.child({ component: 'ingest-gateway' }), tokens));
  components.push(await startScheduler(config, warehouse, log.child({ component: 'scheduler' })));
  const admin = await ensureBootstrapAdminToken(warehouse, config.PROBITY_DATA_DIR);
  log.info({ adminTokenFile: admin.path }, 'operator admin token ready');
  const dlq = DlqService.fromConfig(config, warehouse);
  // Legal hold records go through the pipeline like any evidence, from an emitter (and spool) of the API's own.
  const emitter = await createHoldEmitter(config, log.child({ component: 'audit-api-emitter' }));
  // Gate decisions go out through the same emitter, and are answered only once durable.
  const gates = new GateService({ warehouse, emitter, policies: new PolicyStore(dataDirLayout(config.PROBITY_DATA_DIR).gatePoliciesDir) });
  const api = await buildAuditApp({ warehouse, logger: log.child({ component: 'audit-api' }), notaryKeysDir: keysDir, tokenVerifier: tokens, dlq, emitter, gates });
  api.get('/healthz/stack', async (_request, reply) => {
    const entries = await Promise.all(stack.components.map(async (c) => [c.name, await c.health()] as const));
    const healthy = entries.every(([, h]) => h.healthy);
    return reply.code(healthy ? 200 : 503).send({ healthy, components: Object.fromEntries(entries) });
  });
  await api.listen({ port: config.PROBITY_API_PORT, host: config.PROBITY_API_HOST });
  components.push({ name: 'audit-api', stop: () => api.close().then(() => Promise.all([dlq.close(), emitter.close({ drainTimeoutMs: 5000 })])).then(() => undefined), health: async () => ({ healthy: true, detail: { url: `http://${config.PROBITY_API_HOST}:${config.PROBITY_API_PORT}` } }) });
  return components;
}).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  const hint =
    e.code === 'KAFKA_UNAVAILABLE'
      ? `Kafka is not reachable at ${config.KAFKA_BROKERS.join(',')}: run \`probity up\` or \`bash infra/kafka.sh start\`.`
      : e.code === 'DATA_DIR_LOCKED'
        ? 'Another process holds the chDB data directory: stop it (`probity down`) or set CLICKHOUSE_URL to use a ClickHouse server.'
        : (e as { code?: string }).code === 'EADDRINUSE'
          ? `A port is in use: set PROBITY_API_PORT / GATEWAY_PORT, or stop what holds it.`
          : 'See the log lines above for the failing component.';
  process.stderr.write(`probity-local: could not start: ${e.message ?? String(err)}\n${hint}\n`);
  logger.flush(() => process.exit(1));
  return new Promise<never>(() => undefined);
});

const layout = dataDirLayout(config.PROBITY_DATA_DIR);
mkdirSync(layout.runDir, { recursive: true });
writeFileSync(layout.servicesPid, `${process.pid}\n`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping the local stack');
  await stack.stop();
  logger.info('stopped');
  logger.flush(() => process.exit(0));
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
logger.info({ api: `http://${config.PROBITY_API_HOST}:${config.PROBITY_API_PORT}`, gateway: `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}` }, 'local stack running');
