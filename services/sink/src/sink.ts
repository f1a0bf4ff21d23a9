import { HEADER, type Consumer, type EachBatchPayload, type EvidenceTopics, type Kafka, type KafkaMessage, type Producer } from '@probity/kafka';
import type { Logger } from '@probity/logger';
import type { SchemaRegistry } from '@probity/schema';
import { purgeExpiredEvidence, type EvidenceRow, type PurgeReport, type Warehouse } from '@probity/warehouse';
import { mapSignedBatch, type CheckpointInfo, type Poison } from './rows.js';
import { writeBatch } from './writer.js';

export interface SinkOptions {
  kafka: Kafka;
  topics: EvidenceTopics;
  groupId: string;
  warehouse: Warehouse;
  registry: SchemaRegistry;
  retentionYearsFor(tenant: string): number;
  /** Where retentionYearsFor reads from, loaded before the first batch and refreshed until stop (createSink: tenants_v1). */
  tenantRetention?: { start(): Promise<void>; stop(): void };
  /** The broker holds a fetch until this many bytes are ready… @defaultValue 1 MiB */
  batchMinBytes: number;
  /** …or this long has passed: batching by size and time at the source. @defaultValue 500 */
  batchMaxWaitMs: number;
  /** Longest wait between retries while the warehouse is down. */
  maxRetryDelayMs: number;
  /** Consumer group session timeout. @defaultValue 30000 */
  sessionTimeoutMs?: number;
  /** Period of the retention purge (see purgeExpiredEvidence: evidence past retention and not under a legal hold); 0 = never. */
  retentionPurgeIntervalMs?: number;
  logger: Logger;
}

export interface SinkStats {
  inserted: number;
  duplicates: number;
  poison: number;
  batches: number;
  warehouseFailures: number;
  lastInsertAt: string | null;
  /** True while inserts are failing and consumption is held back. */
  blocked: boolean;
}

/**
 * Signed topic → warehouse. Offsets are committed only after the rows are
 * inserted; a warehouse outage holds the partition (heartbeating, so the
 * group keeps it) and retries with backoff until the insert succeeds.
 * Redelivery is harmless: rows are deduplicated by content hash.
 */
export class Sink {
  private consumer: Consumer | null = null;
  private dlqProducer: Producer | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  private purging = false;
  private readonly counters: SinkStats = { inserted: 0, duplicates: 0, poison: 0, batches: 0, warehouseFailures: 0, lastInsertAt: null, blocked: false };

  constructor(private readonly options: SinkOptions) {}

  async start(): Promise<void> {
    const { kafka, groupId, topics, batchMinBytes, batchMaxWaitMs } = this.options;
    // Before any row is mapped: a row must never get the default retention because the settings were not read yet.
    await this.options.tenantRetention?.start();
    this.dlqProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.dlqProducer.connect();
    const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
    const consumer = kafka.consumer({ groupId, readUncommitted: false, minBytes: batchMinBytes, maxWaitTimeInMs: batchMaxWaitMs, sessionTimeout, heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)) });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.signed, fromBeginning: true });
    this.consumer = consumer;
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.handleBatch(payload) });
    const every = this.options.retentionPurgeIntervalMs ?? 0;
    if (every > 0) {
      // Not at start: the purge scans the whole key-value table, and restarts should be cheap.
      this.purgeTimer = setInterval(() => void this.purgeExpired(), every);
      this.purgeTimer.unref();
    }
  }

  /** Deletes evidence past retention that no legal hold covers, and logs what it deleted and what holds kept; a failure is retried next period. One at a time. */
  async purgeExpired(): Promise<PurgeReport | null> {
    if (this.purging) return null;
    this.purging = true;
    const started = Date.now();
    try {
      const report = await purgeExpiredEvidence(this.options.warehouse);
      this.options.logger.info({ ms: Date.now() - started, deleted: report.deleted, skippedHeld: report.skippedHeld, holds: report.holds }, 'retention purge done');
      return report;
    } catch (err) {
      this.options.logger.warn({ err }, 'retention purge failed; it runs again next period');
      return null;
    } finally {
      this.purging = false;
    }
  }

  async stop(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    this.options.tenantRetention?.stop();
    await this.consumer?.disconnect();
    await this.dlqProducer?.disconnect();
    this.consumer = null;
    this.dlqProducer = null;
  }

  stats(): SinkStats {
    return { ...this.counters };
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const rows: EvidenceRow[] = [];
    const checkpoints: CheckpointInfo[] = [];
    const poison: { message: KafkaMessage; poison: Poison }[] = [];
    for (const message of batch.messages) {
      const mapped = mapSignedBatch(message.value, {
        registry: this.options.registry,
        retentionYearsFor: this.options.retentionYearsFor,
        partition: batch.partition,
        offset: message.offset,
      });
      rows.push(...mapped.rows);
      if (mapped.checkpoint) checkpoints.push(mapped.checkpoint);
      for (const p of mapped.poison) poison.push({ message, poison: p });
    }

    const outcome = await this.withRetry(() => writeBatch(this.options.warehouse, rows, checkpoints), { heartbeat, isRunning, isStale });
    if (!outcome) return; // stopping or rebalanced: the batch will be redelivered and deduplicated
    if (poison.length > 0) await this.sendToDlq(batch.topic, batch.partition, poison);

    const last = batch.messages[batch.messages.length - 1]!.offset;
    resolveOffset(last);
    // autoCommit is off (commitOffsetsIfNecessary would do nothing): commit exactly what is now in the warehouse.
    await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    this.counters.inserted += outcome.inserted;
    this.counters.duplicates += outcome.duplicates;
    this.counters.poison += poison.length;
    this.counters.batches += 1;
    this.counters.lastInsertAt = new Date().toISOString();
    await heartbeat();
  }

  private async withRetry<T>(work: () => Promise<T>, control: { heartbeat: () => Promise<void>; isRunning: () => boolean; isStale: () => boolean }): Promise<T | null> {
    let delay = 250;
    for (;;) {
      try {
        const result = await work();
        this.counters.blocked = false;
        return result;
      } catch (err) {
        const retriable = (err as { retriable?: boolean }).retriable === true;
        this.counters.warehouseFailures += 1;
        this.counters.blocked = true;
        if (!retriable) this.options.logger.error({ err }, 'warehouse insert failed (not retriable); holding the partition until an operator acts');
        else this.options.logger.warn({ err, retryInMs: delay }, 'warehouse unavailable; holding consumption and retrying');
        const until = Date.now() + delay;
        while (Date.now() < until) {
          if (!control.isRunning() || control.isStale()) return null;
          await control.heartbeat().catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, Math.min(500, until - Date.now())));
        }
        delay = Math.min(delay * 2, this.options.maxRetryDelayMs);
      }
    }
  }

  private async sendToDlq(topic: string, partition: number, poison: { message: KafkaMessage; poison: Poison }[]): Promise<void> {
    await this.dlqProducer!.send({
      topic: this.options.topics.dlq,
      acks: -1,
      messages: poison.map(({ message, poison: { reason, detail, value } }) => ({
        key: message.key,
        value,
        headers: {
          [HEADER.dlqReason]: reason,
          [HEADER.dlqDetail]: detail.slice(0, 4000),
          [HEADER.dlqSourceTopic]: topic,
          [HEADER.dlqSourcePartition]: String(partition),
          [HEADER.dlqSourceOffset]: message.offset,
        },
      })),
    });
  }
}
