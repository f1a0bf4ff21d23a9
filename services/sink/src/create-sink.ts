import { createKafka, evidenceTopics } from '@probity/kafka';
import type { Logger } from '@probity/logger';
import { defaultRegistry } from '@probity/schema';
import { TenantRetention, type Warehouse } from '@probity/warehouse';
import type { SinkConfig } from './config.js';
import { Sink } from './sink.js';

/**
 * Build a sink from parsed config around an open warehouse (shared with the API in the local all-in-one process).
 * Retention comes from the tenants' settings in the warehouse (tenants_v1), re-read every SINK_TENANT_SETTINGS_REFRESH_MS.
 */
export function createSink(config: SinkConfig, warehouse: Warehouse, logger: Logger): Sink {
  const retention = new TenantRetention(warehouse, { refreshMs: config.SINK_TENANT_SETTINGS_REFRESH_MS, logger });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'probity-sink', onLog: (level, message, extra) => logger[level]({ kafka: extra }, message) });
  return new Sink({
    kafka,
    topics: evidenceTopics(config.PROBITY_TOPIC_NAMESPACE),
    groupId: config.SINK_GROUP_ID,
    warehouse,
    registry: defaultRegistry(),
    retentionYearsFor: (tenant) => retention.yearsFor(tenant),
    tenantRetention: retention,
    batchMinBytes: config.SINK_BATCH_MIN_BYTES,
    batchMaxWaitMs: config.SINK_BATCH_MAX_WAIT_MS,
    maxRetryDelayMs: config.SINK_MAX_RETRY_DELAY_MS,
    sessionTimeoutMs: config.SINK_SESSION_TIMEOUT_MS,
    retentionPurgeIntervalMs: config.SINK_RETENTION_PURGE_INTERVAL_MS,
    logger,
  });
}
