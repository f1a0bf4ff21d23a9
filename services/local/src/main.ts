import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { createLogger } from '@probity/logger';
import { loadLocalConfig } from './config.js';
import { startGateway, startLocalStack, startScheduler, type Component } from './stack.js';

/**
 * `probity up` starts this: the whole local stack in one process (chDB binds
 * one data directory per process). GET /healthz on PROBITY_API_PORT reports
 * every component.
 */
const config = loadLocalConfig();
const logger = createLogger('probity-local', config.LOG_LEVEL);

const stack = await startLocalStack(config, logger, async ({ warehouse, logger: log }) => {
  const components: Component[] = [];
  components.push(await startGateway(config, log.child({ component: 'ingest-gateway' })));
  components.push(await startScheduler(config, warehouse, log.child({ component: 'scheduler' })));
  return components;
}).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  const hint =
    e.code === 'KAFKA_UNAVAILABLE'
      ? `Kafka is not reachable at ${config.KAFKA_BROKERS.join(',')}: run \`probity up\` or \`bash infra/kafka.sh start\`.`
      : e.code === 'DATA_DIR_LOCKED'
        ? 'Another process holds the chDB data directory: stop it (`probity down`) or set CLICKHOUSE_URL to use a ClickHouse server.'
        : 'See the log lines above for the failing component.';
  process.stderr.write(`probity-local: could not start: ${e.message ?? String(err)}\n${hint}\n`);
  logger.flush(() => process.exit(1));
  return new Promise<never>(() => undefined);
});

const health = Fastify({ logger: false });
health.get('/healthz', async (_request, reply) => {
  const entries = await Promise.all(stack.components.map(async (c) => [c.name, await c.health()] as const));
  const healthy = entries.every(([, h]) => h.healthy);
  return reply.code(healthy ? 200 : 503).send({ healthy, components: Object.fromEntries(entries) });
});
await health.listen({ port: config.PROBITY_API_PORT, host: config.PROBITY_API_HOST });

const runDir = path.join(config.PROBITY_DATA_DIR, 'run');
mkdirSync(runDir, { recursive: true });
writeFileSync(path.join(runDir, 'services.pid'), `${process.pid}\n`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping the local stack');
  await health.close();
  await stack.stop();
  logger.info('stopped');
  logger.flush(() => process.exit(0));
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
logger.info({ api: `http://${config.PROBITY_API_HOST}:${config.PROBITY_API_PORT}`, gateway: `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}` }, 'local stack running');
