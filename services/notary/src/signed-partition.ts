import { parseSignedCheckpoint, fromHex, leafHash } from '@probity/crypto';
import { decodeStatement, parseSignedBatch } from '@probity/evidence';
import { HEADER, headerString, type Kafka, type KafkaMessage } from '@probity/kafka';
import { randomUUID } from 'node:crypto';
import { NotaryError } from './errors.js';

/** The state carried by the last committed signed batch of a shard: its checkpoint and HEADER.sourceNextOffset. */
export interface SignedTailState {
  size: number;
  root: Uint8Array;
  nextOffset: bigint;
}

/** The committed records of one partition must be there: no progress for this long means they are not. */
const STALL_MS = 60_000;
/** Offsets read back from the end for the last signed batch: its commit marker and any aborted attempts after it. */
const TAIL_WINDOW = 256n;

interface PartitionRead {
  topic: string;
  partition: number;
  /** First offset to read. */
  from: bigint;
  /** When set, the read ends once every offset before this one was fetched (data, commit markers and aborted records alike). */
  end?: bigint;
  /** Each fetched run of committed messages, in order; returns true when the read is done. */
  onMessages(messages: KafkaMessage[]): boolean;
  /** The error message when the read makes no progress. */
  stalled(): string;
}

/** Reads committed messages of one partition in a consumer group of its own (kafkajs reads only through a group). */
async function readPartition(kafka: Kafka, read: PartitionRead): Promise<void> {
  if (read.end !== undefined && read.from >= read.end) return;
  const groupId = `probity-notary-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      let lastProgressAt = Date.now();
      const watchdog = setInterval(() => {
        if (Date.now() - lastProgressAt < STALL_MS) return;
        clearInterval(watchdog);
        reject(new NotaryError('LOG_RECOVERY_FAILED', read.stalled()));
      }, 1000);
      const done = () => {
        clearInterval(watchdog);
        resolve();
      };
      // A batch of only commit markers or aborted records reaches no eachBatch, but this event still tells how far the read got.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.topic !== read.topic || payload.partition !== read.partition) return;
        lastProgressAt = Date.now();
        if (read.end !== undefined && BigInt(payload.lastOffset) >= read.end - 1n) done();
      });
      const start = async () => {
        // Other partitions start at their end and bring nothing; this one is moved to `from` before its first fetch counts.
        await consumer.subscribe({ topic: read.topic, fromBeginning: false });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== read.partition) return;
            lastProgressAt = Date.now();
            if (read.onMessages(batch.messages)) done();
          },
        });
        consumer.seek({ topic: read.topic, partition: read.partition, offset: read.from.toString() });
      };
      start().catch((err: unknown) => {
        clearInterval(watchdog);
        reject(err);
      });
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The state carried by the last committed signed batch of a shard's partition, which holds offsets [start, end):
 * null when the partition holds none, or when that batch carries no state (a notary that committed every state in the group's offset).
 */
export async function readSignedTail(kafka: Kafka, topic: string, shard: number, { start, end }: { start: bigint; end: bigint }): Promise<SignedTailState | null> {
  let from = end - TAIL_WINDOW > start ? end - TAIL_WINDOW : start;
  for (;;) {
    let last: KafkaMessage | undefined;
    await readPartition(kafka, {
      topic,
      partition: shard,
      from,
      end,
      onMessages: (messages) => {
        last = messages.at(-1) ?? last;
        return false;
      },
      stalled: () => `shard ${shard}: ${topic} partition ${shard} did not deliver offsets ${from}–${end - 1n} within ${STALL_MS / 1000} s; is the broker healthy?`,
    });
    if (last) return tailState(last);
    // Only aborted attempts in the window: look further back.
    if (from === start) return null;
    from = start;
  }
}

function tailState(message: KafkaMessage): SignedTailState | null {
  const nextOffset = headerString(message.headers, HEADER.sourceNextOffset);
  if (nextOffset === undefined) return null;
  const checkpoint = parseSignedCheckpoint(parseSignedBatch(message.value).checkpoint);
  return { size: checkpoint.size, root: checkpoint.rootHash, nextOffset: BigInt(nextOffset) };
}

/** The first `size` leaves of a shard, from its committed signed batches. */
export async function readCommittedLeaves(kafka: Kafka, topic: string, shard: number, size: number): Promise<{ contentHash: Uint8Array; leafHash: Uint8Array }[]> {
  const leaves: { contentHash: Uint8Array; leafHash: Uint8Array }[] = [];
  if (size === 0) return leaves;
  await readPartition(kafka, {
    topic,
    partition: shard,
    from: 0n,
    onMessages: (messages) => {
      for (const message of messages) {
        // The rebuilt root is checked against the committed one, so the batch's own checks are not needed here.
        for (const { statement: statementBytes } of parseSignedBatch(message.value).records) {
          const statement = decodeStatement(statementBytes);
          if (statement.index !== leaves.length) continue; // an index already seen cannot occur in committed data; skip defensively
          leaves.push({ contentHash: fromHex(statement.content_hash), leafHash: leafHash(statementBytes) });
          if (leaves.length >= size) return true;
        }
      }
      return false;
    },
    stalled: () => `shard ${shard}: only ${leaves.length} of ${size} committed leaves found in ${topic}; was the topic truncated or deleted? Restore it, or start a new log origin.`,
  });
  return leaves;
}
