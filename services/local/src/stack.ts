import { existsSync } from 'node:fs';
import path from 'node:path';
import { createEmitter } from '@probity/agent';
import { buildGatewayApp, loadTokenFile, StaticTokenVerifier, type TokenVerifier } from '@probity/ingest-gateway';
import { createKafka, ensureTopics, evidenceTopics } from '@probity/kafka';
import type { Logger } from '@probity/logger';
import { createNotary, withNotaryPaths } from '@probity/notary';
import { createSink } from '@probity/sink';
import { openConfiguredWarehouse, type Warehouse } from '@probity/warehouse';
import type { FastifyInstance } from 'fastify';
import type { LocalConfig } from './config.js';

export interface Component {
  name: string;
  stop(): Promise<void>;
  health(): Promise<{ healthy: boolean; detail: Record<string, unknown> }>;
}

export interface LocalStack {
  warehouse: Warehouse;
  components: Component[];
  stop(): Promise<void>;
}

/**
 * Everything that needs the embedded warehouse runs here, in one process,
 * because chDB binds one data directory per process: the sink writes it,
 * the audit API and the studies read it. With a ClickHouse server
 * (CLICKHOUSE_URL) the same services can run as separate processes instead.
 */
export async function startLocalStack(config: LocalConfig, logger: Logger, extra: (stack: { warehouse: Warehouse; logger: Logger }) => Promise<Component[]> = async () => []): Promise<LocalStack> {
  const components: Component[] = [];
  const stopAll = async () => {
    for (const component of [...components].reverse()) {
      await component.stop().catch((err: unknown) => logger.error({ err, component: component.name }, 'stopping failed'));
    }
  };

  const warehouse = await openConfiguredWarehouse(config, logger.child({ component: 'warehouse' }));
  components.push({
    name: 'warehouse',
    stop: () => warehouse.close(),
    health: async () => {
      try {
        const ping = await warehouse.ping();
        return { healthy: true, detail: { kind: warehouse.kind, ...ping } };
      } catch (err) {
        return { healthy: false, detail: { kind: warehouse.kind, error: (err as Error).message } };
      }
    },
  });
  try {
    // Idempotent: the services must not depend on someone having run `probity topics` first.
    const topics = evidenceTopics(config.PROBITY_TOPIC_NAMESPACE);
    await ensureTopics(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'probity-local-admin' }), config.PROBITY_TOPIC_PARTITIONS, topics);

    const notaryConfig = withNotaryPaths(config);
    const notary = createNotary(notaryConfig, logger.child({ component: 'notary' }));
    await notary.start();
    components.push({ name: 'notary', stop: () => notary.stop(), health: async () => ({ healthy: true, detail: { ...notary.stats() } }) });

    // Retention comes from the tenants' settings in the warehouse (POST /v1/tenants/{t}/retention), as for a sink on its own.
    const sink = createSink(config, warehouse, logger.child({ component: 'sink' }));
    await sink.start();
    components.push({ name: 'sink', stop: () => sink.stop(), health: async () => ({ healthy: !sink.stats().blocked, detail: { ...sink.stats() } }) });

    components.push(...(await extra({ warehouse, logger })));
    return { warehouse, components, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The HTTP ingest gateway on its own port, emitting through the SDK (with its spool) to the raw topic. */
export async function startGateway(config: LocalConfig, logger: Logger, tokens?: TokenVerifier): Promise<Component & { app: FastifyInstance }> {
  const emitter = await createEmitter({
    name: config.GATEWAY_EMITTER_NAME,
    dataDir: config.PROBITY_DATA_DIR,
    brokers: config.KAFKA_BROKERS,
    topic: evidenceTopics(config.PROBITY_TOPIC_NAMESPACE).raw,
    maxPackBytes: config.PROBITY_EMIT_PACK_BYTES,
    lingerMs: config.GATEWAY_LINGER_MS,
    whenKafkaUnavailable: config.GATEWAY_KAFKA_OUTAGE,
    logger,
  });
  const tokenFile = config.GATEWAY_TOKENS_FILE ?? path.join(config.PROBITY_DATA_DIR, 'gateway-tokens.json');
  const verifier = tokens ?? (existsSync(tokenFile) ? await loadTokenFile(tokenFile) : new StaticTokenVerifier([]));
  const app = buildGatewayApp({ emitter, tokens: verifier, bodyLimit: config.GATEWAY_BODY_LIMIT_BYTES, retryAfterSeconds: config.GATEWAY_RETRY_AFTER_SECONDS, logger });
  await app.listen({ port: config.GATEWAY_PORT, host: config.GATEWAY_HOST });
  return {
    name: 'ingest-gateway',
    app,
    stop: async () => {
      await app.close();
      await emitter.close({ drainTimeoutMs: 5000 });
    },
    health: async () => ({ healthy: true, detail: { ...emitter.stats() } }),
  };
}

/** Scheduled studies: BullMQ job schedulers on Redis, windows read from the shared warehouse, results emitted as evidence. */
export async function startScheduler(config: LocalConfig, warehouse: Warehouse, logger: Logger): Promise<Component> {
  const { startSchedulerService } = await import('@probity/scheduler');
  const service = await startSchedulerService(config, warehouse, logger);
  return {
    name: 'scheduler',
    stop: () => service.stop(),
    health: async () => ({ healthy: true, detail: { studies: service.studyIds, queue: config.PROBITY_SCHEDULER_QUEUE } }),
  };
}
