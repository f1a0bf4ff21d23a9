import { createEmitter } from '@probity/agent';
import { evidenceTopics } from '@probity/kafka';
import { createLogger } from '@probity/logger';
import { buildGatewayApp } from './app.js';
import { loadGatewayConfig } from './config.js';
import { loadTokenFile } from './tokens.js';

/** `tsx services/ingest-gateway/src/main.ts`: the HTTP ingest gateway, configured from the environment. */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger('ingest-gateway', config.LOG_LEVEL);
  const tokens = await loadTokenFile(config.GATEWAY_TOKENS_FILE);
  const emitter = await createEmitter({
    name: config.GATEWAY_EMITTER_NAME,
    dataDir: config.PROBITY_DATA_DIR,
    brokers: config.KAFKA_BROKERS,
    maxPackBytes: config.PROBITY_EMIT_PACK_BYTES,
    topic: evidenceTopics(config.PROBITY_TOPIC_NAMESPACE).raw,
    lingerMs: config.GATEWAY_LINGER_MS,
    whenKafkaUnavailable: config.GATEWAY_KAFKA_OUTAGE,
    logger,
  });
  const app = buildGatewayApp({ emitter, tokens, bodyLimit: config.GATEWAY_BODY_LIMIT_BYTES, retryAfterSeconds: config.GATEWAY_RETRY_AFTER_SECONDS, logger });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await emitter.close({ drainTimeoutMs: 5000 });
    logger.info('stopped');
    // The logger writes asynchronously: flush before exiting or the last lines are lost.
    logger.flush(() => process.exit(0));
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const address = await app.listen({ port: config.GATEWAY_PORT, host: config.GATEWAY_HOST });
  logger.info({ address }, 'ingest gateway listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest-gateway: ${(err as Error).message}\n`);
  process.exit(1);
});
