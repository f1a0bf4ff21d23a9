import { createKafka, topicCatalog, TOPICS } from '@probity/kafka';
import { errorText, type ComponentHealth } from './health.js';

/** Every catalog topic exists, and raw/signed have the configured partition count (one Merkle shard each). */
export async function probeTopics(brokers: string[], partitions: number, timeoutMs = 3000): Promise<ComponentHealth> {
  const target = brokers.join(',');
  const kafka = createKafka({ brokers, clientId: 'probity-doctor', connectionTimeoutMs: timeoutMs, retry: { retries: 0 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    const catalog = topicCatalog();
    const missing = catalog.filter((t) => !present.has(t.name)).map((t) => t.name);
    if (missing.length > 0) {
      return {
        component: 'topics',
        healthy: false,
        target,
        message: `missing ${missing.join(', ')}: run \`probity topics\` (or \`probity up\`)`,
        details: { missing },
      };
    }
    const metadata = await admin.fetchTopicMetadata({ topics: catalog.map((t) => t.name) });
    const counts = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    const raw = counts[TOPICS.raw];
    const signed = counts[TOPICS.signed];
    if (raw !== signed) {
      return {
        component: 'topics',
        healthy: false,
        target,
        details: { partitions: counts },
        message: `${TOPICS.raw} has ${raw} partitions but ${TOPICS.signed} has ${signed}; they must match: add partitions to the smaller one with kafka-topics --alter`,
      };
    }
    if (raw !== partitions) {
      return {
        component: 'topics',
        healthy: false,
        target,
        details: { partitions: counts },
        message: `the evidence topics have ${raw} partitions but PROBITY_TOPIC_PARTITIONS is ${partitions}: set PROBITY_TOPIC_PARTITIONS=${raw} (topics are never shrunk)`,
      };
    }
    return { component: 'topics', healthy: true, target, details: { partitions: counts }, message: `${catalog.length} topics, ${raw} evidence partitions` };
  } catch (err) {
    return { component: 'topics', healthy: false, target, message: `could not list topics (Kafka at ${target}): fix Kafka first. Cause: ${errorText(err)}` };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
