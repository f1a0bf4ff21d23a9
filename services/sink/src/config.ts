import { commonEnvShape, envInt, parseEnv } from '@probity/config';
import { z } from 'zod';

export const sinkEnvShape = {
  PROBITY_DATA_DIR: commonEnvShape.PROBITY_DATA_DIR,
  KAFKA_BROKERS: commonEnvShape.KAFKA_BROKERS,
  PROBITY_TOPIC_NAMESPACE: commonEnvShape.PROBITY_TOPIC_NAMESPACE,
  CLICKHOUSE_URL: commonEnvShape.CLICKHOUSE_URL,
  CLICKHOUSE_DATABASE: commonEnvShape.CLICKHOUSE_DATABASE,
  LOG_LEVEL: commonEnvShape.LOG_LEVEL,
  /** @defaultValue `probity-sink` */
  SINK_GROUP_ID: z.string().min(1).default('probity-sink'),
  /** Fetch batches wait for this many bytes… @defaultValue 1048576 */
  SINK_BATCH_MIN_BYTES: envInt(1024 * 1024, 1, 64 * 1024 * 1024),
  /** …or this many milliseconds. @defaultValue 500 */
  SINK_BATCH_MAX_WAIT_MS: envInt(500, 10, 60_000),
  /** A sink silent this long leaves the consumer group; a restarted one waits at most this long for a killed one's partitions. @defaultValue 30000 */
  SINK_SESSION_TIMEOUT_MS: envInt(30_000, 6_000, 300_000),
  /** Longest backoff while the warehouse is down. @defaultValue 10000 */
  SINK_MAX_RETRY_DELAY_MS: envInt(10_000, 100, 600_000),
  /** How often evidence past retention that no legal hold covers is deleted (purgeExpiredEvidence: full scans of the evidence tables); 0 turns it off. @defaultValue 86400000 (24 h) */
  SINK_RETENTION_PURGE_INTERVAL_MS: envInt(24 * 3_600_000, 0, 7 * 86_400_000),
  /** How often the tenants' retention settings (tenants_v1) are read again: a change applies to rows written after at most this long. @defaultValue 10000 */
  SINK_TENANT_SETTINGS_REFRESH_MS: envInt(10_000, 100, 3_600_000),
};

export type SinkConfig = ReturnType<typeof loadSinkConfig>;

export function loadSinkConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(sinkEnvShape, env);
}
