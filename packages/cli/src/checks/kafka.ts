import { createKafka, describeCluster } from '@probity/kafka';
import { errorText, type ComponentHealth } from './health.js';

/** One DescribeCluster round trip with no retries: a doctor must answer fast, not ride out outages. */
export async function probeKafka(brokers: string[], timeoutMs = 3000): Promise<ComponentHealth> {
  const target = brokers.join(',');
  const kafka = createKafka({
    brokers,
    clientId: 'probity-doctor',
    connectionTimeoutMs: timeoutMs,
    retry: { retries: 0, initialRetryTime: 100, maxRetryTime: 100 },
  });
  try {
    const cluster = await describeCluster(kafka);
    return {
      component: 'kafka',
      healthy: cluster.brokers > 0,
      target,
      latencyMs: cluster.latencyMs,
      message: `${cluster.brokers} broker${cluster.brokers === 1 ? '' : 's'}, cluster ${cluster.clusterId}, controller ${cluster.controllerId ?? 'none'}`,
      details: { brokers: cluster.brokers, clusterId: cluster.clusterId, controllerId: cluster.controllerId },
    };
  } catch (err) {
    return {
      component: 'kafka',
      healthy: false,
      target,
      message: `Kafka is not reachable at ${target}: run \`probity up\` (or \`bash infra/kafka.sh start\`). Cause: ${errorText(err)}`,
    };
  }
}
