import { bytesEqual, fromHex, toHex } from '@probity/crypto';
import type { EvidenceTopics, Kafka } from '@probity/kafka';
import { NotaryError } from './errors.js';
import { readCommittedLeaves, readSignedTail, type SignedTailState } from './signed-partition.js';
import type { ShardLog } from './shard-log.js';

/** What the last committed transaction of a shard says about its log. */
export interface CommittedLogState {
  size: number;
  root: Uint8Array | null;
}

/** A shard's committed log state and the raw-topic offset committed with it (the next one to notarize). */
export interface CommittedShardState extends CommittedLogState {
  nextOffset: bigint;
  /** End offset of the shard's signed-topic partition once that transaction committed (after its commit marker). */
  signedEnd: bigint;
}

/** What the consumer group's committed offset of a shard says; `signedEnd` is null when it does not say (none, or v1). */
export interface GroupCommittedState extends CommittedLogState {
  nextOffset: bigint;
  signedEnd: bigint | null;
}

/**
 * The committed offset's metadata: the log state of the transaction that committed it, and the end of the
 * shard's signed partition then. A transaction that publishes signed batches carries the same state in its
 * last batch instead (see `latestCommittedState`); the group's offset follows it outside the transaction.
 */
export function encodeOffsetMetadata(state: { size: number; root: Uint8Array; signedEnd: bigint }): string {
  return JSON.stringify({ v: 2, size: state.size, root: toHex(state.root), signedEnd: state.signedEnd.toString() });
}

export function decodeOffsetMetadata(metadata: string | null | undefined): CommittedLogState & { signedEnd: bigint | null } {
  if (!metadata) return { size: 0, root: null, signedEnd: null };
  const parsed = JSON.parse(metadata) as { v?: number; size?: number; root?: string; signedEnd?: string };
  const valid = typeof parsed.size === 'number' && typeof parsed.root === 'string' && (parsed.v === 1 || (parsed.v === 2 && typeof parsed.signedEnd === 'string' && /^\d+$/.test(parsed.signedEnd)));
  if (!valid) throw new NotaryError('LOG_RECOVERY_FAILED', `unrecognized offset metadata ${JSON.stringify(metadata)}`);
  return { size: parsed.size!, root: fromHex(parsed.root!), signedEnd: parsed.v === 2 ? BigInt(parsed.signedEnd!) : null };
}

/**
 * The group's committed offset is the shard's latest state when the signed partition ended, at the group's
 * last commit, where it ends now: no signed batch was committed since. Otherwise the last signed batch says.
 */
export function groupStateIsLatest(group: GroupCommittedState, signedEnd: bigint): boolean {
  return signedEnd === 0n || group.signedEnd === signedEnd;
}

/**
 * The shard's state after its last committed transaction. A transaction with signed batches commits the
 * state in its last batch; one with only DLQ messages or duplicates commits it in the group's offset.
 * Offsets only grow, so the later of the two is the one with the larger raw offset. A signed tail without
 * the state (`null`: written by a notary that committed every state in the group's offset) defers to the group.
 */
export function latestCommittedState(group: GroupCommittedState, signedEnd: bigint, tail: SignedTailState | null): CommittedShardState {
  if (tail !== null && tail.nextOffset > group.nextOffset) return { ...tail, signedEnd };
  return { ...group, signedEnd };
}

export async function fetchCommittedState(kafka: Kafka, topics: EvidenceTopics, groupId: string, shard: number): Promise<CommittedShardState> {
  const admin = kafka.admin();
  await admin.connect();
  let group: GroupCommittedState;
  let signedEnd: bigint;
  let signedStart: bigint;
  try {
    const [offsets, ends] = await Promise.all([admin.fetchOffsets({ groupId, topics: [topics.raw] }), admin.fetchTopicOffsets(topics.signed)]);
    const partition = offsets[0]?.partitions.find((p) => p.partition === shard);
    // kafkajs reports "no committed offset" as -1.
    const committedOffset = BigInt(partition?.offset ?? -1);
    group = { ...decodeOffsetMetadata(partition?.metadata), nextOffset: committedOffset >= 0n ? committedOffset : 0n };
    // kafkajs' admin lists offsets read_committed: `high` is the last stable offset. The shard's producer was
    // fenced before this read and the previous owner's transaction completed, so it is also the partition's end.
    const signed = ends.find((p) => p.partition === shard);
    signedEnd = BigInt(signed?.high ?? '0');
    signedStart = BigInt(signed?.low ?? '0');
  } finally {
    await admin.disconnect();
  }
  if (groupStateIsLatest(group, signedEnd)) return latestCommittedState(group, signedEnd, null);
  return latestCommittedState(group, signedEnd, await readSignedTail(kafka, topics.signed, shard, { start: signedStart, end: signedEnd }));
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
