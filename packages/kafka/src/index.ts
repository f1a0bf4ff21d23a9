export { TOPICS, topicCatalog, evidenceTopics } from './topics.js';
export type { TopicName, TopicSpec, EvidenceTopics } from './topics.js';
export { createKafka, producerRetry, KafkaError, toKafkaError } from './client.js';
export type { KafkaClientOptions, KafkaErrorCode } from './client.js';
export { ensureTopics, describeCluster } from './admin.js';
export type { EnsureTopicsResult, ClusterDescription } from './admin.js';
export { HEADER, headerString } from './headers.js';
export { CompressionTypes } from 'kafkajs';
export type { Kafka, Producer, Consumer, Admin, EachBatchPayload, KafkaMessage, Message, Transaction, IHeaders } from 'kafkajs';
