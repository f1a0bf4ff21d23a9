import type { EvidenceStore } from '@probity/evidence-store';
import { CompressionTypes, toKafkaError, transactionalRetry, type Consumer, type EachBatchPayload, type EvidenceTopics, type Kafka, type Offsets, type Producer } from '@probity/kafka';
import type { NotaryKeyStore } from '@probity/keystore';
import type { Logger } from '@probity/logger';
import { notarizeBatch } from './batch.js';
import { InspectPool } from './inspect-pool.js';
import { chunksByBytes, chunksByRecords } from './chunks.js';
import type { RecordDecoder } from './inspect.js';
import type { DlqReason } from './outcome.js';
import { encodeOffsetMetadata, fetchCommittedState, reconcileShard } from './recovery.js';
import { ShardLog } from './shard-log.js';
import type { TenantPolicies } from './tenant-policy.js';

export interface NotaryOptions {
  kafka: Kafka;
  topics: EvidenceTopics;
  groupId: string;
  dataDir: string;
  /** Log origin prefix; shard n's log is `<origin>/shard/<n>`. */
  origin: string;
  store: EvidenceStore;
  keys: NotaryKeyStore;
  decoder: RecordDecoder;
  policies: TenantPolicies;
  maxMessageBytes: number;
  /** Largest number of raw records notarized in one transaction (a raw pack counts its records; a pack is never split). */
  maxTransactionMessages: number;
  signRecords: boolean;
  /** Compression of signed-topic batches (NOTARY_SIGNED_COMPRESSION). */
  signedCompression: 'none' | 'gzip';
  /**
   * Shards notarized at once: this many consumer group members in this instance, each with its own
   * fetch loop, taking its shards one at a time (each shard has its own transactional producer).
   */
  concurrency: number;
  /**
   * Worker threads that inspect raw messages (NOTARY_INSPECT_THREADS); 0 inspects on the main thread.
   * The workers decode with the default schema registry: `decoder` applies to inline inspection.
   * @defaultValue 0
   */
  inspectThreads?: number;
  /**
   * A member whose batch takes longer than this without a heartbeat (a transaction stuck this long) is
   * evicted from the group and its shards move on. @defaultValue 30000
   */
  sessionTimeoutMs?: number;
  /** Fetch batching (NOTARY_FETCH_MIN_BYTES / NOTARY_FETCH_MAX_WAIT_MS). @defaultValue 65536 and 10 */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  logger: Logger;
}

export interface NotaryStats {
  accepted: number;
  duplicates: number;
  dlq: Partial<Record<DlqReason, number>>;
  transactions: number;
  shards: Record<number, { size: number; lastCommitAt: string | null }>;
}

/** The batch's commitOffsetsIfNecessary: with offsets given, one OffsetCommit without kafkajs' retries (metadata passes through). */
type CommitOffsets = EachBatchPayload['commitOffsetsIfNecessary'];

const messageBytes = (message: { value: Buffer | string | null }) => (message.value === null ? 0 : Buffer.byteLength(message.value));

interface ShardState {
  log: ShardLog;
  producer: Producer;
  committedSize: number;
  /** The raw-topic offset after the last committed transaction: earlier messages are notarized already. */
  nextOffset: bigint;
  /** End offset of the shard's signed-topic partition after the last committed transaction. */
  signedEnd: bigint;
  lastCommitAt: string | null;
  /** Value of `Notary.joins` when this state was reconciled with Kafka; -1 after a failed transaction. */
  reconciledAtJoin: number;
}

/**
 * The notary consumer: one Merkle log shard per partition of the raw topic,
 * exactly-once through one transactional producer per shard. The producer's
 * transactional id is derived from the shard, so whichever instance owns a
 * shard fences every earlier owner (zombie fencing) before it reads the
 * committed log state and continues the log.
 */
export class Notary {
  private consumers: Consumer[] = [];
  /** The tail of each shard's chain of work in this process (see withShardLock). */
  private readonly shardLocks = new Map<number, Promise<void>>();
  private pool: InspectPool | null = null;
  private readonly shards = new Map<number, ShardState>();
  /** Per shard, the commit of the group's offset that follows its last transaction, while in flight (see followPosition). */
  private readonly positionCommits = new Map<number, Promise<void>>();
  /** Per shard, a position whose following commit failed (it may still reach the coordinator), and `joins` when it was sent. */
  private readonly unsettledPositions = new Map<number, { position: Offsets; atJoin: number }>();
  /**
   * Group joins seen by this instance's members. A shard's state reconciled before the latest join is
   * stale: another owner may have moved it on meanwhile, so it is reconciled again before its next batch.
   */
  private joins = 0;
  private readonly counters: Omit<NotaryStats, 'shards'> = { accepted: 0, duplicates: 0, dlq: {}, transactions: 0 };

  private readonly signedCompression: CompressionTypes;

  constructor(private readonly options: NotaryOptions) {
    this.signedCompression = options.signedCompression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    const threads = this.options.inspectThreads ?? 0;
    if (threads > 0) {
      this.pool = new InspectPool({ threads, policies: () => this.options.policies.snapshot(), maxMessageBytes: this.options.maxMessageBytes });
      await this.pool.ready();
      logger.info({ threads }, 'inspect workers ready');
    }
    // One group member per unit of concurrency, each with its own fetch loop. kafkajs fetches again only
    // when every batch of its last fetch has been handled, so shards sharing one consumer would all wait
    // for any one of them whose transaction is stuck (a slow disk, a broker retrying).
    const started = await Promise.allSettled(Array.from({ length: this.options.concurrency }, (_, member) => this.startConsumer(member)));
    this.consumers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      await Promise.all(this.consumers.map((consumer) => consumer.disconnect().catch(() => undefined)));
      this.consumers = [];
      throw failed.reason;
    }
  }

  private async startConsumer(member: number): Promise<Consumer> {
    const { kafka, groupId, logger } = this.options;
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      // The members of an instance join at about the same time, often in separate rounds: a short interval
      // lets each notice the next rebalance soon (startup, and every instance joining or leaving).
      heartbeatInterval: 1_000,
      // Under load, wait a little for larger fetches: fewer, bigger transactions.
      minBytes: this.options.fetchMinBytes ?? 64 * 1024,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 10,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // Another owner may have moved any shard on since this instance last touched it.
      this.joins += 1;
      logger.info({ member, assignment: event.payload.memberAssignment }, 'notary joined the group');
    });
    consumer.on(consumer.events.CRASH, (event) => logger.error({ member, err: event.payload.error, restart: event.payload.restart }, 'notary consumer crashed'));
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topics.raw, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // A member with several shards takes them one at a time; members run in parallel.
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.withShardLock(payload.batch.partition, payload.heartbeat, () => this.handleBatch(payload)),
    });
    return consumer;
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect()));
    this.consumers = [];
    await Promise.all(this.positionCommits.values());
    for (const state of this.shards.values()) {
      await state.producer.disconnect().catch(() => undefined);
      state.log.close();
    }
    this.shards.clear();
    this.options.store.close();
    await this.pool?.close();
    this.pool = null;
  }

  /**
   * Runs `work` for one shard at a time in this process. A shard moves between this instance's members
   * only across a rebalance, which a member joins after its running batch; but a member whose session
   * expired mid-transaction may still be committing when the new owner's first batch arrives. The new
   * owner waits its turn (heartbeating, so the group keeps it), then skips what was committed meanwhile.
   */
  private async withShardLock(shard: number, heartbeat: () => Promise<void>, work: () => Promise<void>): Promise<void> {
    const previous = this.shardLocks.get(shard);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => mine) : mine;
    this.shardLocks.set(shard, tail);
    try {
      if (previous) await waitHeartbeating(previous, heartbeat);
      await work();
    } finally {
      release();
      if (this.shardLocks.get(shard) === tail) this.shardLocks.delete(shard);
    }
  }

  stats(): NotaryStats {
    const shards: NotaryStats['shards'] = {};
    for (const [shard, state] of this.shards) shards[shard] = { size: state.committedSize, lastCommitAt: state.lastCommitAt };
    return { ...this.counters, dlq: { ...this.counters.dlq }, shards };
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const shard = batch.partition;
    const state = await this.shardState(shard);
    // A batch fetched from an offset that another member of this instance has since committed past (see
    // withShardLock). Offsets ascend, so the usual batch costs one comparison.
    const firstPending = batch.messages.findIndex((message) => BigInt(message.offset) >= state.nextOffset);
    if (firstPending !== 0) {
      const skipped = firstPending === -1 ? batch.messages.length : firstPending;
      this.options.logger.info({ shard, skipped, nextOffset: String(state.nextOffset) }, 'skipped messages notarized already');
      if (firstPending === -1) {
        resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
        return;
      }
    }
    const pending = firstPending === 0 ? batch.messages : batch.messages.slice(firstPending);
    for (const messages of chunksByRecords(pending, this.options.maxTransactionMessages)) {
      if (!isRunning() || isStale()) return;
      const position = await this.notarizeAndCommit(shard, state, batch.topic, messages, () => this.settlePosition(commitOffsetsIfNecessary, shard));
      resolveOffset(messages[messages.length - 1]!.offset);
      if (position && isRunning() && !isStale()) await this.followPosition(commitOffsetsIfNecessary, shard, position);
      await heartbeat();
    }
  }

  /**
   * One Kafka transaction: the signed batches, the DLQ messages, and the shard's new state (tree size, root,
   * raw offset). The state travels in the last signed batch (see `latestCommittedState`); only a transaction
   * without one (all duplicates or DLQ) commits it in the group's offset. That keeps the group coordinator out
   * of most transactions: no AddOffsetsToTxn, no TxnOffsetCommit, no commit marker on __consumer_offsets,
   * which halved a transaction's time (bench/ingest/txn-probe). Returns the state for the group's offset to
   * follow outside the transaction (for lag monitoring, and so that a successor need not read the signed
   * topic), or null when the transaction committed it.
   */
  private async notarizeAndCommit(
    shard: number,
    state: ShardState,
    topic: string,
    messages: EachBatchPayload['batch']['messages'],
    settlePosition: () => Promise<void>,
  ): Promise<Offsets | null> {
    const { logger } = this.options;
    const origin = `${this.options.origin}/shard/${shard}`;
    let transaction: Awaited<ReturnType<Producer['transaction']>> | null = null;
    const started = performance.now();
    const phases: Record<string, number> = {};
    const lap = (phase: string) => (phases[phase] = Math.round(performance.now() - started));
    try {
      const plan = await notarizeBatch(
        { shard, topic, messages },
        {
          log: state.log,
          origin,
          store: this.options.store,
          signer: this.options.keys.signingKeyAt(new Date()),
          signRecords: this.options.signRecords,
          inspect: { decoder: this.options.decoder, policyFor: (t) => this.options.policies.get(t), maxMessageBytes: this.options.maxMessageBytes },
          ...(this.pool ? { inspector: this.pool } : {}),
          now: () => new Date(),
        },
      );
      lap('notarizedMs');
      transaction = await state.producer.transaction();
      // One produce request per chunk keeps every record batch under the broker's message.max.bytes.
      let signedEnd = state.signedEnd;
      for (const chunk of chunksByBytes(plan.signed, messageBytes)) {
        const [written] = await transaction.send({ topic: this.options.topics.signed, compression: this.signedCompression, messages: chunk });
        // The partition's end once committed: past this chunk's records and the commit marker after them.
        signedEnd = BigInt(written!.baseOffset!) + BigInt(chunk.length) + 1n;
      }
      for (const chunk of chunksByBytes(plan.dlq, messageBytes)) {
        await transaction.send({ topic: this.options.topics.dlq, compression: CompressionTypes.GZIP, messages: chunk });
      }
      lap('sentMs');
      // The new state as the group's offset of the raw partition. kafkajs passes `metadata` through; its types omit it.
      const metadata = encodeOffsetMetadata({ size: plan.treeSize, root: plan.rootHash, signedEnd });
      const position: Offsets = { topics: [{ topic, partitions: [{ partition: shard, offset: plan.nextOffset, metadata } as { partition: number; offset: string }] }] };
      const stateInSignedTopic = plan.signed.length > 0;
      if (!stateInSignedTopic) {
        await settlePosition();
        await transaction.sendOffsets({ consumerGroupId: this.options.groupId, ...position });
      }
      lap('offsetsMs');
      // Nothing is acknowledged before the evidence store holds it (invariant 1); its sync ran meanwhile.
      await plan.stored;
      lap('storedMs');
      await transaction.commit();
      lap('committedMs');
      state.committedSize = plan.treeSize;
      state.nextOffset = BigInt(plan.nextOffset);
      state.signedEnd = signedEnd;
      state.lastCommitAt = new Date().toISOString();
      this.count(plan.counts);
      if (plan.counts.accepted + plan.counts.duplicates + Object.keys(plan.counts.dlq).length > 0) {
        logger.debug({ shard, messages: messages.length, ...plan.counts, size: plan.treeSize, ...phases }, 'batch notarized');
      }
      return stateInSignedTopic ? position : null;
    } catch (err) {
      if (transaction) await transaction.abort().catch(() => undefined);
      // Uncommitted leaves must not survive: the next attempt re-appends them at the same indexes.
      state.log.truncate(state.committedSize);
      // A fenced producer belongs to a past owner of the shard: reconcile before trying again.
      state.reconciledAtJoin = -1;
      logger.warn({ shard, err }, 'notarization failed; the batch will be retried');
      throw toKafkaError(err, `notarizing shard ${shard}`);
    }
  }

  /**
   * The group's offset follows a transaction whose state is in the signed topic; recovery does without it when
   * it does not. Sent from the batch, so it carries the batch's generation: the member cannot have rejoined
   * since, and the group refuses it if the shard may have moved on (a later generation) instead of taking back
   * a new owner's offset. One attempt (the batch's commitOffsetsIfNecessary, without kafkajs' retries), for
   * the same reason. Not awaited: the shard's next fetch and transaction need not wait for the group
   * coordinator (a round trip of each cycle). One in flight per shard, so that they arrive in order.
   */
  private async followPosition(commitOffsets: CommitOffsets, shard: number, position: Offsets): Promise<void> {
    await this.positionCommits.get(shard);
    const atJoin = this.joins;
    const commit = commitOffsets(position)
      .then(() => void this.unsettledPositions.delete(shard))
      .catch((err: unknown) => {
        this.unsettledPositions.set(shard, { position, atJoin });
        this.options.logger.info({ shard, err }, "the group's offset did not follow the last transaction; the next owner of the shard will read its state from the signed topic");
      })
      .finally(() => {
        if (this.positionCommits.get(shard) === commit) this.positionCommits.delete(shard);
      });
    this.positionCommits.set(shard, commit);
  }

  /**
   * Before a transaction commits the shard's state in the group's offset (sendOffsets), every earlier commit of
   * that offset must have been handled, or a late one would take it back. A commit that failed on the client (a
   * timeout) may still reach the coordinator: the same position is committed again from this batch, on the same
   * connection, whose requests the broker handles in order; its answer means the failed one was handled. If it
   * fails too, so does the transaction, and the batch is retried. After a rejoin there is nothing to settle: the
   * failed commit carries an earlier generation, which the group refuses, and must not be sent again in this one.
   */
  private async settlePosition(commitOffsets: CommitOffsets, shard: number): Promise<void> {
    await this.positionCommits.get(shard);
    const unsettled = this.unsettledPositions.get(shard);
    if (unsettled && unsettled.atJoin === this.joins) await commitOffsets(unsettled.position);
    this.unsettledPositions.delete(shard);
  }

  private count(counts: { accepted: number; duplicates: number; dlq: Partial<Record<DlqReason, number>> }): void {
    this.counters.accepted += counts.accepted;
    this.counters.duplicates += counts.duplicates;
    this.counters.transactions += 1;
    for (const [reason, n] of Object.entries(counts.dlq) as [DlqReason, number][]) this.counters.dlq[reason] = (this.counters.dlq[reason] ?? 0) + n;
  }

  private async shardState(shard: number): Promise<ShardState> {
    const existing = this.shards.get(shard);
    if (existing && existing.reconciledAtJoin === this.joins) return existing;
    // A join during the awaits below leaves the state stale, to be reconciled again at the next batch.
    const joinsAtStart = this.joins;
    const { kafka, groupId, logger, dataDir } = this.options;
    if (existing) await existing.producer.disconnect().catch(() => undefined);
    const producer = kafka.producer({
      transactionalId: `${groupId}-${this.options.topics.raw}-shard-${shard}`,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: transactionalRetry,
    });
    await producer.connect();
    // Fence the shard's previous owner before reading the committed state, so that it cannot change under us.
    // kafkajs' connect() takes a non-transactional producer id; the transactional InitProducerId (which bumps the
    // epoch and waits until the previous owner's open transaction is aborted, or its commit complete) runs at
    // the first transaction(). An abort with nothing in it sends nothing more.
    await (await producer.transaction()).abort();
    const log = existing?.log ?? ShardLog.open(dataDir, shard);
    const committed = await fetchCommittedState(kafka, this.options.topics, groupId, shard);
    const outcome = await reconcileShard(kafka, this.options.topics, log, committed, (message) => logger.info(message));
    logger.info({ shard, size: log.size, outcome }, 'shard ready');
    const state: ShardState = {
      log,
      producer,
      committedSize: committed.size,
      nextOffset: committed.nextOffset,
      signedEnd: committed.signedEnd,
      lastCommitAt: existing?.lastCommitAt ?? null,
      reconciledAtJoin: joinsAtStart,
    };
    this.shards.set(shard, state);
    return state;
  }
}

/** Waits for `done`, heartbeating meanwhile so that the group does not evict a member only waiting its turn. */
async function waitHeartbeating(done: Promise<void>, heartbeat: () => Promise<void>, intervalMs = 1000): Promise<void> {
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, intervalMs)))]);
    clearTimeout(timer);
    // Throws during a rebalance: the member rejoins without running its batch (kafkajs fetches it again).
    if (!finished) await heartbeat();
  }
}
