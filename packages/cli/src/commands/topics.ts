import { loadCommonConfig } from '@probity/config';
import { createKafka, ensureTopics } from '@probity/kafka';
import { defineCommand, intOption } from '../command.js';

export const topics = defineCommand({
  name: 'topics',
  summary: 'Create the evidence topics if missing (idempotent)',
  description: 'Creates probity.evidence.raw, .signed and .dlq when missing and prints which were created and which existed, as JSON. Existing topics are never changed.',
  options: {
    partitions: { type: 'string', valueName: 'N', description: 'Partitions of the raw and signed topics (default: PROBITY_TOPIC_PARTITIONS, 3).' },
  },
  async run({ values, io }) {
    const config = loadCommonConfig(io.env);
    const partitions = intOption(values, 'partitions', 1, 1024) ?? config.PROBITY_TOPIC_PARTITIONS;
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'probity-cli' });
    const result = await ensureTopics(kafka, partitions);
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  },
});
