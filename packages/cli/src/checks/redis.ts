import { Redis } from 'ioredis';
import { errorText, roundMs, type ComponentHealth } from './health.js';

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) fields.set(line.slice(0, i), line.slice(i + 1));
  }
  return fields;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * PING latency, version, and the settings BullMQ depends on: with any
 * eviction policy but noeviction, Redis may silently drop jobs.
 */
export async function probeRedis(url: string, timeoutMs = 3000): Promise<ComponentHealth> {
  const target = redactUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() rejects with a bare "Connection is closed"; the 'error' event has the cause (ECONNREFUSED…).
  let socketError: unknown;
  redis.on('error', (err) => (socketError = err));
  try {
    await redis.connect();
    const started = performance.now();
    await redis.ping();
    const latencyMs = roundMs(performance.now() - started);
    const info = parseInfo(await redis.info('server'));
    const policyReply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = policyReply[1] ?? 'unknown';
    const version = info.get('redis_version');
    const base = { component: 'redis' as const, target, latencyMs, ...(version ? { version } : {}), details: { maxmemoryPolicy: policy } };
    if (policy !== 'noeviction') {
      return {
        ...base,
        healthy: false,
        message: `maxmemory-policy is ${policy}; BullMQ needs noeviction or jobs can vanish: run \`redis-cli -u ${target} config set maxmemory-policy noeviction\` and set it in the server's config`,
      };
    }
    return { ...base, healthy: true, message: `redis ${version ?? '?'}, maxmemory-policy noeviction` };
  } catch (err) {
    return {
      component: 'redis',
      healthy: false,
      target,
      message: `Redis is not reachable at ${target}: run \`probity up\` (or \`bash infra/redis.sh start\`). Cause: ${errorText(socketError ?? err)}`,
    };
  } finally {
    redis.disconnect();
  }
}
