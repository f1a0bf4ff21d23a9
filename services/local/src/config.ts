import { z } from 'zod';
import { commonEnvShape, envInt, parseEnv } from '@probity/config';
import { auditApiEnvShape } from '@probity/audit-api';
import { gatewayEnvShape } from '@probity/ingest-gateway';
import { notaryEnvShape } from '@probity/notary';
import { schedulerEnvShape } from '@probity/scheduler';
import { sinkEnvShape } from '@probity/sink';

/**
 * The all-in-one process reads the union of its services' variables, so
 * each service keeps its own names and defaults and the local stack is
 * configured exactly like the separate processes would be.
 */
export const localEnvShape = {
  ...commonEnvShape,
  ...notaryEnvShape,
  ...sinkEnvShape,
  ...gatewayEnvShape,
  ...schedulerEnvShape,
  /** Port of the audit API (and /healthz of the whole process). @defaultValue 8787 */
  PROBITY_API_PORT: envInt(8787, 1, 65535),
  /** @defaultValue 127.0.0.1 */
  PROBITY_API_HOST: z.string().default('127.0.0.1'),
  /** Signing of legal hold records (see the audit API's config). */
  PROBITY_HOLD_SIGN_KEY: auditApiEnvShape.PROBITY_HOLD_SIGN_KEY,
  PROBITY_HOLD_SIGN_TENANTS: auditApiEnvShape.PROBITY_HOLD_SIGN_TENANTS,
};

export type LocalConfig = ReturnType<typeof loadLocalConfig>;

export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(localEnvShape, env);
}
