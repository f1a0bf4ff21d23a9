import type { Kafka } from 'kafkajs';
import { topicCatalog, TOPICS, type EvidenceTopics } from './topics.js';
import { KafkaError, toKafkaError } from './client.js';

export interface EnsureTopicsResult {
  created: string[];
  existing: { name: string; partitions: number }[];
}

/**
 * Create the evidence topics if missing; idempotent. Existing topics are left
 * as they are, but a raw/signed partition mismatch is an error: shard N of the
 * Merkle log lives in partition N of both.
 */
export async function ensureTopics(kafka: Kafka, partitions: number, topics: EvidenceTopics = TOPICS): Promise<EnsureTopicsResult> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    const catalog = topicCatalog(topics);
    const toCreate = catalog.filter((t) => !present.has(t.name));
    if (toCreate.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: toCreate.map((t) => ({
          topic: t.name,
          numPartitions: t.partitionsFollowRaw ? partitions : 1,
          replicationFactor: -1,
          configEntries: t.configEntries,
        })),
      });
    }
    const existingNames = catalog.filter((t) => present.has(t.name)).map((t) => t.name);
    const metadata = await admin.fetchTopicMetadata({ topics: catalog.map((t) => t.name) });
    const counts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    const raw = counts.get(topics.raw);
    const signed = counts.get(topics.signed);
    if (raw !== signed) {
      throw new KafkaError(
        'KAFKA_FAILED',
        `${topics.raw} has ${raw} partitions but ${topics.signed} has ${signed}; they must match (one Merkle log shard per partition). Add partitions to the smaller one with kafka-topics --alter.`,
      );
    }
    return {
      created: toCreate.map((t) => t.name),
      existing: existingNames.map((name) => ({ name, partitions: counts.get(name) ?? 0 })),
    };
  } catch (err) {
    throw toKafkaError(err, 'creating the evidence topics');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface ClusterDescription {
  brokers: number;
  controllerId: number | null;
  clusterId: string;
  latencyMs: number;
}

export async function describeCluster(kafka: Kafka): Promise<ClusterDescription> {
  const admin = kafka.admin();
  const started = performance.now();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      brokers: cluster.brokers.length,
      controllerId: cluster.controller,
      clusterId: cluster.clusterId,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    };
  } catch (err) {
    throw toKafkaError(err, 'describing the Kafka cluster');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
