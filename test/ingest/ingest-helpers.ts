import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeRawPack, isRawPack } from '@probity/evidence';
import { headerString, type Kafka } from '@probity/kafka';
import { repoRoot } from '../helpers/index.js';

export interface TopicMessage {
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string | undefined>;
  /** Position in the raw pack the record came in; null for a message of its own. */
  packIndex: number | null;
}

const training = JSON.parse(readFileSync(`${repoRoot}/schemas/examples/EvidenceManifest.training.json`, 'utf8')) as Record<string, unknown>;

/** A valid EvidenceManifest in JSON form, distinct per call (manifest_id, run_id). */
export function sampleManifest(index: number, tenant = 'acme-bank'): Record<string, unknown> {
  return { ...training, tenant, manifest_id: randomUUID(), run_id: `run-${index}` };
}

/**
 * Reads every record of a topic from the beginning until `expected` arrived (or the timeout). A raw
 * pack counts as its entries, each as the notary sees it: its own bytes and headers, and the key it
 * would have had alone (its content hash).
 */
export async function readTopic(kafka: Kafka, topic: string, expected: number, timeoutMs = 60_000): Promise<TopicMessage[]> {
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const messages: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (isRawPack(message.value)) {
          decodeRawPack(message.value!).forEach((entry, packIndex) => {
            const key = createHash('sha256').update(entry.value).digest('hex');
            messages.push({ partition, offset: message.offset, key, value: Buffer.from(entry.value), headers: { ...entry.headers }, packIndex });
          });
        } else {
          const headers: Record<string, string | undefined> = {};
          for (const name of Object.keys(message.headers ?? {})) headers[name] = headerString(message.headers, name);
          messages.push({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? '', value: message.value ?? Buffer.alloc(0), headers, packIndex: null });
        }
        if (messages.length >= expected) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([reached, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    // Anything beyond `expected` (a duplicate) must have a chance to show up too.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
