/**
 * The infra scripts take their ports from PROBITY_KAFKA_PORT / PROBITY_REDIS_PORT;
 * clients read KAFKA_BROKERS / REDIS_URL. When only a port is set, point the
 * clients at it, so one variable moves a whole stack.
 */
export function withPortDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  if (!out.KAFKA_BROKERS && out.PROBITY_KAFKA_PORT) out.KAFKA_BROKERS = `127.0.0.1:${out.PROBITY_KAFKA_PORT}`;
  if (!out.REDIS_URL && out.PROBITY_REDIS_PORT) out.REDIS_URL = `redis://127.0.0.1:${out.PROBITY_REDIS_PORT}`;
  return out;
}
