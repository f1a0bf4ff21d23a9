import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { KafkaError } from './client.js';

export interface TopicMessage {
  partition: number;
  message: KafkaMessage;
}

export interface ReadToEndOptions {
  /** Fail when no partition makes progress for this long. @defaultValue 30000 */
  stallMs?: number;
  /** Consumer group prefix; each read uses a fresh group, never commits, and deletes it afterwards. @defaultValue `probity-read` */
  groupPrefix?: string;
}

/**
 * Every committed message of a topic, from the start up to the high
 * watermark each partition had when the read began (messages written during
 * the read may or may not be included). For small topics an operator reads
 * whole, such as the DLQ: kafkajs reads only through a consumer group, so
 * the read uses a group of its own that commits nothing.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, options: ReadToEndOptions = {}): Promise<TopicMessage[]> {
  const stallMs = options.stallMs ?? 30_000;
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const out: TopicMessage[] = [];
  if (ends.size === 0) return out;

  const groupId = `${options.groupPrefix ?? 'probity-read'}-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const pending = new Set(ends.keys());
      let lastProgressAt = Date.now();
      const watchdog = setInterval(() => {
        if (Date.now() - lastProgressAt < stallMs) return;
        clearInterval(watchdog);
        reject(new KafkaError('KAFKA_UNAVAILABLE', `reading ${topic}: partitions ${[...pending].join(', ')} made no progress for ${stallMs / 1000} s`, { retriable: true }));
      }, 500);
      const reached = (partition: number, lastOffset: string) => {
        const end = ends.get(partition);
        if (end === undefined || !pending.has(partition)) return;
        lastProgressAt = Date.now();
        if (BigInt(lastOffset) >= end - 1n) pending.delete(partition);
        if (pending.size === 0) {
          clearInterval(watchdog);
          resolve();
        }
      };
      // A fetch of only transaction markers or aborted records reaches no eachBatch; this event still says how far the read got.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.topic === topic) reached(payload.partition, payload.lastOffset);
      });
      const start = async () => {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ends.get(batch.partition);
            if (end === undefined) return;
            for (const message of batch.messages) if (BigInt(message.offset) < end) out.push({ partition: batch.partition, message });
          },
        });
      };
      start().catch((err: unknown) => {
        clearInterval(watchdog);
        reject(err);
      });
    });
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  }
  // Messages of a partition arrive in order; partitions interleave: sort for a stable listing.
  return out.sort((a, b) => a.partition - b.partition || (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : 1));
}
