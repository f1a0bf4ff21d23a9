import path from 'node:path';
import { z } from 'zod';
import { envInt, loadCommonConfig, parseEnv } from '@probity/config';

export const gatewayEnvShape = {
  /** @defaultValue 8788 */
  GATEWAY_PORT: envInt(8788, 0, 65535),
  /** @defaultValue `127.0.0.1` */
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  /** @defaultValue 1048576 (1 MiB) */
  GATEWAY_BODY_LIMIT_BYTES: envInt(1024 * 1024, 1024, 64 * 1024 * 1024),
  /** `{ "tokens": [{ "sha256", "tenant", "role" }] }`. @defaultValue `<PROBITY_DATA_DIR>/gateway-tokens.json` */
  GATEWAY_TOKENS_FILE: z.string().min(1).optional(),
  /**
   * When Kafka is unreachable: `reject` answers 503 with `Retry-After` and
   * keeps nothing (clients retry or spool on their side); `spool` keeps the
   * records in the gateway's local spool and answers 202 with `durable: "spool"`.
   * @defaultValue `reject`
   */
  GATEWAY_KAFKA_OUTAGE: z.enum(['reject', 'spool']).default('reject'),
  /**
   * How long an idle gateway waits for more requests before sending a batch to
   * Kafka. Under load, requests that arrive while a send is in flight make the
   * next batch anyway; 0 keeps a lone caller's wait short (bench/README.md).
   * @defaultValue 0
   */
  GATEWAY_LINGER_MS: envInt(0, 0, 1000),
  /** `Retry-After` of a 503. @defaultValue 5 */
  GATEWAY_RETRY_AFTER_SECONDS: envInt(5, 1, 3600),
  /** Names the gateway's spool under `<PROBITY_DATA_DIR>/spool/`. @defaultValue `ingest-gateway` */
  GATEWAY_EMITTER_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a plain name').default('ingest-gateway'),
} as const;

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  const common = loadCommonConfig(env);
  const own = parseEnv(gatewayEnvShape, env);
  return { ...common, ...own, GATEWAY_TOKENS_FILE: own.GATEWAY_TOKENS_FILE ?? path.join(common.PROBITY_DATA_DIR, 'gateway-tokens.json') };
}
