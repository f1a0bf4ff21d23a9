import { loadCommonConfig } from '@probity/config';
import { apiBaseUrl, runtimePaths, servicesExpected } from '../paths.js';
import { fetchHealthz, servicesPid } from '../services-process.js';
import type { ComponentHealth, ComponentName } from './health.js';
import { probeKafka } from './kafka.js';
import { probeRedis } from './redis.js';
import { probeTopics } from './topics.js';
import { probeWarehouse, warehouseFromHealthz } from './warehouse.js';

export interface DoctorReport {
  healthy: boolean;
  components: ComponentHealth[];
}

export interface RunChecksOptions {
  /** Components to leave out of the report and of the verdict. */
  skip?: readonly ComponentName[];
}

/** Checks every component of the local stack; nothing here starts or changes anything. */
export async function runChecks(env: NodeJS.ProcessEnv, options: RunChecksOptions = {}): Promise<DoctorReport> {
  const skip = new Set(options.skip ?? []);
  const components = (await checkAll(env, skip)).filter((c) => !skip.has(c.component));
  return { healthy: components.every((c) => c.healthy), components };
}

async function checkAll(env: NodeJS.ProcessEnv, skip: ReadonlySet<ComponentName>): Promise<ComponentHealth[]> {
  const config = loadCommonConfig(env);
  const paths = runtimePaths(config.PROBITY_DATA_DIR);
  const [kafka, redis, pid] = await Promise.all([
    probeKafka(config.KAFKA_BROKERS),
    probeRedis(config.REDIS_URL),
    servicesPid(config.PROBITY_DATA_DIR),
  ]);
  const topics: ComponentHealth = kafka.healthy
    ? await probeTopics(config.KAFKA_BROKERS, config.PROBITY_TOPIC_PARTITIONS)
    : { component: 'topics', healthy: false, target: kafka.target, message: 'not checked: Kafka is not reachable (see the kafka line)' };
  const components: ComponentHealth[] = [kafka, redis, topics];
  const healthUrl = `${apiBaseUrl(env)}/healthz`;

  if (pid !== undefined) {
    // The services process holds the chDB directory (one process per data dir): ask it.
    const health = await fetchHealthz(env);
    const ok = health?.status === 200;
    const warehouse = health ? warehouseFromHealthz(health.body, config.CLICKHOUSE_URL ?? paths.chdbDir) : undefined;
    components.push(
      warehouse ?? {
        component: 'warehouse',
        healthy: false,
        target: paths.chdbDir,
        message: 'held by the local services process, whose /healthz did not report it (see the services line)',
      },
      {
        component: 'services',
        healthy: ok,
        target: healthUrl,
        details: { pid, ...(health ? { status: health.status, body: health.body } : {}) },
        message: ok
          ? `pid ${pid}, /healthz 200`
          : `pid ${pid} is running but ${healthUrl} answered ${health ? `${health.status}${unhealthyParts(health.body)}` : 'nothing'}: read ${paths.servicesLog}, then run \`probity down && probity up\``,
      },
    );
    return components;
  }
  if (!skip.has('warehouse')) {
    components.push(await probeWarehouse({ clickhouseUrl: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE, chdbDir: paths.chdbDir }));
  }
  if (servicesExpected()) {
    components.push({ component: 'services', healthy: false, target: healthUrl, message: 'the local services are not running: run `probity up`' });
  }
  return components;
}

/** " (unhealthy: sink, notary)" from a services/local /healthz body. */
function unhealthyParts(body: unknown): string {
  const components = (body as { components?: Record<string, { healthy?: boolean }> } | undefined)?.components;
  if (!components || typeof components !== 'object') return '';
  const down = Object.entries(components).filter(([, c]) => c?.healthy === false).map(([name]) => name);
  return down.length > 0 ? ` (unhealthy: ${down.join(', ')})` : '';
}
