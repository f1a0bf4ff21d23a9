/**
 * Reads a signed topic in a process of its own and reports, for every fetched batch, when it arrived
 * and which records it held. Forked by `readSignedElsewhere` (measure.ts) for bench/ingest's latency
 * phase, so that the reader's clock is not held up by the emitting bench process's event loop, much as
 * a sink or an auditor's reader runs apart from the emitters.
 */
import { randomUUID } from 'node:crypto';
import { loadCommonConfig } from '@probity/config';
import { parseSignedBatch } from '@probity/evidence';
import { createKafka } from '@probity/kafka';

export interface SignedBatchSeen {
  /** Epoch ms when the reader received the fetched batch. */
  seenAt: number;
  messages: { key: string; producedAt: number; contentHashes: string[] }[];
}

const topic = process.argv[2];
if (!topic || !process.send) throw new Error('signed-reader: fork it with the topic as its argument (see readSignedElsewhere)');
// The bench ended (or died): do not keep consuming on its cores.
process.on('disconnect', () => process.exit(0));
const kafka = createKafka({ brokers: loadCommonConfig().KAFKA_BROKERS, clientId: 'bench-signed-reader' });
const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: Number(process.env.BENCH_READ_WAIT_MS ?? 50), readUncommitted: false });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    const seenAt = Date.now();
    const messages = batch.messages.map((message) => ({
      key: message.key?.toString() ?? '',
      producedAt: Number(message.timestamp),
      contentHashes: parseSignedBatch(message.value).records.map((record) => record.content_hash),
    }));
    process.send!({ seenAt, messages } satisfies SignedBatchSeen);
  },
});
