import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envInt, envList } from './coercions.js';
import { parseEnv } from './parse-env.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The repository's `.data/` directory: where local Kafka, Redis, chDB and the evidence store live. */
export function defaultDataDir(): string {
  return path.join(repoRoot, '.data');
}

/**
 * Variables every Probity process understands. Defaults point at the local
 * stack that `probity up` / `infra/` starts, so nothing needs setting locally.
 */
export const commonEnvShape = {
  /** @defaultValue `<repo>/.data` */
  PROBITY_DATA_DIR: z.string().default(defaultDataDir()),
  /** @defaultValue `127.0.0.1:19092` (the broker `infra/kafka.sh` starts) */
  KAFKA_BROKERS: envList('127.0.0.1:19092'),
  /** @defaultValue `redis://127.0.0.1:16379` (the server `infra/redis.sh` starts) */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:16379'),
  /** When set, the warehouse uses this ClickHouse server instead of embedded chDB. */
  CLICKHOUSE_URL: z.string().url().optional(),
  /** @defaultValue `probity` */
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a plain identifier').default('probity'),
  /** Prefix for the evidence topic names (`<ns>.probity.evidence.raw`); empty = standard names. @defaultValue empty */
  PROBITY_TOPIC_NAMESPACE: z.string().regex(/^[A-Za-z0-9._-]*$/, 'expected letters, digits, dot, dash or underscore').default(''),
  /** Partitions of the evidence topics created by `probity topics`. @defaultValue 3 */
  PROBITY_TOPIC_PARTITIONS: envInt(3, 1, 1024),
  /**
   * Largest raw pack an emitter of this process sends (the SDK's `maxPackBytes`): its records for
   * one partition go as one Kafka message. 0 sends one message per record (for notaries of builds
   * before raw packs). Keep it below the raw topic's max.message.bytes. @defaultValue 524288
   */
  PROBITY_EMIT_PACK_BYTES: envInt(512 * 1024, 0, 64 * 1024 * 1024),
  /** @defaultValue `info` */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
} as const;

export type CommonConfig = ReturnType<typeof loadCommonConfig>;

export function loadCommonConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(commonEnvShape, env);
}
