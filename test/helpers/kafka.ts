import { loadCommonConfig } from '@probity/config';
import { createKafka, type Kafka } from '@probity/kafka';
import { uniqueName } from './unique-name.js';

export interface KafkaForTests {
  kafka: Kafka;
  brokers: string[];
  /** Creates a topic with a unique name (`test-<uuid>` by default) and returns its name. */
  createTopic(options?: { prefix?: string; partitions?: number }): Promise<string>;
  /** Deletes the topics this helper created. Call in afterAll. */
  cleanup(): Promise<void>;
}

/** A kafkajs client on the test broker (KAFKA_BROKERS), with the producer retry settings that ride out restarts. */
export function kafkaForTests(clientId = uniqueName('test-client')): KafkaForTests {
  const brokers = loadCommonConfig().KAFKA_BROKERS;
  const kafka = createKafka({ brokers, clientId });
  const created: string[] = [];
  return {
    kafka,
    brokers,
    async createTopic(options = {}) {
      const topic = uniqueName(options.prefix ?? 'test');
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: options.partitions ?? 1, replicationFactor: 1 }] });
      } finally {
        await admin.disconnect();
      }
      created.push(topic);
      return topic;
    },
    async cleanup() {
      if (created.length === 0) return;
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: created.splice(0), timeout: 10_000 });
      } finally {
        await admin.disconnect();
      }
    },
  };
}
