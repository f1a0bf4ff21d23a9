import { bytesEqual, fromHex, leafHash, toHex } from '@probity/crypto';
import { decodeStatement, parseSignedBatch } from '@probity/evidence';
import type { EvidenceTopics, Kafka } from '@probity/kafka';
import { randomUUID } from 'node:crypto';
import { NotaryError } from './errors.js';
import type { ShardLog } from './shard-log.js';

/** What the last committed transaction of a shard says about its log. */
export interface CommittedLogState {
  size: number;
  root: Uint8Array | null;
}

/**
 * The committed tree size and root travel in the metadata of the consumer
 * group's committed offset, written by `sendOffsets` inside the same Kafka
 * transaction as the signed records. Committed offset and committed log
 * state can therefore never disagree.
 */
export function encodeOffsetMetadata(size: number, root: Uint8Array): string {
  return JSON.stringify({ v: 1, size, root: toHex(root) });
}

export function decodeOffsetMetadata(metadata: string | null | undefined): CommittedLogState {
  if (!metadata) return { size: 0, root: null };
  const parsed = JSON.parse(metadata) as { v?: number; size?: number; root?: string };
  if (parsed.v !== 1 || typeof parsed.size !== 'number' || typeof parsed.root !== 'string') {
    throw new NotaryError('LOG_RECOVERY_FAILED', `unrecognized offset metadata ${JSON.stringify(metadata)}`);
  }
  return { size: parsed.size, root: fromHex(parsed.root) };
}

/** A shard's committed log state and the raw-topic offset committed with it (the next one to notarize). */
export interface CommittedShardState extends CommittedLogState {
  nextOffset: bigint;
}

export async function fetchCommittedState(kafka: Kafka, topics: EvidenceTopics, groupId: string, shard: number): Promise<CommittedShardState> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId, topics: [topics.raw] });
    const partition = offsets[0]?.partitions.find((p) => p.partition === shard);
    // kafkajs reports "no committed offset" as -1.
    const committedOffset = BigInt(partition?.offset ?? -1);
    return { ...decodeOffsetMetadata(partition?.metadata), nextOffset: committedOffset >= 0n ? committedOffset : 0n };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Bring the local shard log to exactly the committed state: drop uncommitted
 * leaves (a crash between the local append and the transaction commit), or,
 * when this instance lacks leaves (the partition moved here, or the disk was
 * lost), rebuild them from the committed signed records of the shard. The
 * result is checked against the committed root: no fork, no gap.
 */
export async function reconcileShard(kafka: Kafka, topics: EvidenceTopics, log: ShardLog, committed: CommittedLogState, onProgress?: (message: string) => void): Promise<'clean' | 'truncated' | 'rebuilt'> {
  const matchesCommitted = () => committed.size === 0 || (committed.root !== null && bytesEqual(log.root(committed.size), committed.root));
  if (log.size >= committed.size && matchesCommitted()) {
    if (log.size === committed.size) return 'clean';
    log.truncate(committed.size);
    return 'truncated';
  }
  onProgress?.(`shard ${log.shard}: local log has ${log.size} leaves, committed ${committed.size}; rebuilding from ${topics.signed}`);
  const leaves = await readCommittedLeaves(kafka, topics.signed, log.shard, committed.size);
  log.rebuild(leaves);
  if (!matchesCommitted()) {
    throw new NotaryError('LOG_RECOVERY_FAILED', `shard ${log.shard}: rebuilt log does not match the committed root at size ${committed.size}; refusing to continue (possible tampering with ${topics.signed})`);
  }
  return 'rebuilt';
}

const REBUILD_STALL_MS = 60_000;

async function readCommittedLeaves(kafka: Kafka, signedTopic: string, shard: number, size: number): Promise<{ contentHash: Uint8Array; leafHash: Uint8Array }[]> {
  if (size === 0) return [];
  const leaves: { contentHash: Uint8Array; leafHash: Uint8Array }[] = [];
  const groupId = `probity-notary-rebuild-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: signedTopic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // The committed records must be there (they were committed with the size): no progress for a minute means they are not.
      let lastProgressAt = Date.now();
      const watchdog = setInterval(() => {
        if (Date.now() - lastProgressAt < REBUILD_STALL_MS) return;
        clearInterval(watchdog);
        reject(new NotaryError('LOG_RECOVERY_FAILED', `shard ${shard}: only ${leaves.length} of ${size} committed leaves found in ${signedTopic}; was the topic truncated or deleted? Restore it, or start a new log origin.`));
      }, 1000);
      const done = () => {
        clearInterval(watchdog);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== shard || leaves.length >= size) return;
            lastProgressAt = Date.now();
            for (const message of batch.messages) {
              // The rebuilt root is checked against the committed one, so the batch's own checks are not needed here.
              for (const { statement: statementBytes } of parseSignedBatch(message.value).records) {
                const statement = decodeStatement(statementBytes);
                if (statement.index !== leaves.length) continue; // an index already seen cannot occur in committed data; skip defensively
                leaves.push({ contentHash: fromHex(statement.content_hash), leafHash: leafHash(statementBytes) });
                if (leaves.length >= size) break;
              }
              if (leaves.length >= size) break;
            }
            if (leaves.length >= size) done();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return leaves;
}
