import { z } from 'zod';
import { commonEnvShape, dataDirLayout, envInt, envList, parseEnv } from '@probity/config';

export const auditApiEnvShape = {
  ...commonEnvShape,
  /** @defaultValue 8787 */
  PROBITY_API_PORT: envInt(8787, 1, 65535),
  /** @defaultValue `127.0.0.1` (loopback only; put a TLS proxy in front to expose it) */
  PROBITY_API_HOST: z.string().min(1).default('127.0.0.1'),
  /** The notary's keys directory served at /v1/keys. @defaultValue `<PROBITY_DATA_DIR>/keys/notary` */
  PROBITY_NOTARY_KEYS_DIR: z.string().optional(),
  /** How long a token check is cached (revocation delay). @defaultValue 2000 */
  PROBITY_TOKEN_CACHE_MS: envInt(2000, 0, 60_000),
  /** PKCS#8 PEM file of the Ed25519 key that signs the legal hold records of PROBITY_HOLD_SIGN_TENANTS. @defaultValue unset */
  PROBITY_HOLD_SIGN_KEY: z.string().min(1).optional(),
  /** Tenants that require emitter signatures and have the public key of PROBITY_HOLD_SIGN_KEY registered (`probity keys register`): their hold records are signed. @defaultValue none */
  PROBITY_HOLD_SIGN_TENANTS: envList('').optional(),
} as const;

export type AuditApiConfig = ReturnType<typeof loadAuditApiConfig>;

export function loadAuditApiConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = parseEnv(auditApiEnvShape, env);
  return { ...config, notaryKeysDir: config.PROBITY_NOTARY_KEYS_DIR ?? dataDirLayout(config.PROBITY_DATA_DIR).notaryKeysDir };
}
