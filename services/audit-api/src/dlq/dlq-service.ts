import { createKafka, evidenceTopics, keyHashPartitioner, readTopicToEnd, type EvidenceTopics, type Kafka, type Producer } from '@probity/kafka';
import { defaultRegistry, type SchemaRegistry } from '@probity/schema';
import { TABLES, evidenceLookupKey, type Warehouse } from '@probity/warehouse';
import { describeDlqMessage, matchesDlqFilter, parseDlqEntryId, replayHeaders, summaryOf, type DlqEntry, type DlqEntryDetail, type DlqFilter } from './dlq-entry.js';

export interface DlqReplayInfo {
  /** Every replay of the entry, oldest first. */
  replays: { replayed_at: string; replayed_by: string }[];
  /** The log leaf holding the entry's record, once a replay got it logged (or found it logged already): null until then. */
  replayed_as: { content_hash: string; shard: number; leaf_index: number; notarized_at: string } | null;
  /** DLQ entries a replay of this one became when the notary refused it again (their `replay_of` is this id). */
  refused_again_as: string[];
}

export type DlqListItem = DlqEntry & DlqReplayInfo;
export type DlqShowItem = DlqEntryDetail & DlqReplayInfo;

export interface DlqReplayOutcome {
  replayed: { id: string; content_hash: string; tenant: string | null }[];
  skipped: { id: string; why: string }[];
}

export interface DlqServiceOptions {
  kafka: Kafka;
  topics: EvidenceTopics;
  warehouse: Warehouse;
  registry: SchemaRegistry;
}

/**
 * The DLQ as the API serves it. Entries are read from the DLQ topic itself on
 * every request (from the start to the high watermark, in a consumer group
 * that commits nothing): the topic is the one record of what was refused, it
 * is small, and reading it needs no second copy that could drift from it.
 * Replays are recorded in `dlq_replays_v1`; the leaf an entry became is
 * looked up by its content hash.
 */
export class DlqService {
  private producer: Producer | null = null;

  constructor(private readonly options: DlqServiceOptions) {}

  /** The DLQ of the deployment a process's config names (brokers, topic namespace). */
  static fromConfig(config: { KAFKA_BROKERS: string[]; PROBITY_TOPIC_NAMESPACE: string }, warehouse: Warehouse): DlqService {
    return new DlqService({
      kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'probity-audit-api-dlq' }),
      topics: evidenceTopics(config.PROBITY_TOPIC_NAMESPACE),
      warehouse,
      registry: defaultRegistry(),
    });
  }

  private async entries(): Promise<DlqEntryDetail[]> {
    const messages = await readTopicToEnd(this.options.kafka, this.options.topics.dlq, { groupPrefix: 'probity-dlq-read' });
    return messages.map(({ partition, message }) => describeDlqMessage(partition, message, this.options.registry));
  }

  async list(filter: DlqFilter): Promise<DlqListItem[]> {
    const all = await this.entries();
    const entries = all.filter((e) => matchesDlqFilter(e, filter));
    const info = await this.replayInfo(entries, all);
    return entries.map((e) => ({ ...summaryOf(e), ...info.get(e.id)! }));
  }

  /** One entry by id, or null (unknown id, or not visible under `filter`). */
  async get(id: string, filter: DlqFilter): Promise<DlqShowItem | null> {
    const wanted = parseDlqEntryId(id);
    if (!wanted) return null;
    const all = await this.entries();
    const entry = all.find((e) => e.partition === wanted.partition && e.offset === wanted.offset);
    if (!entry || !matchesDlqFilter(entry, filter)) return null;
    const info = await this.replayInfo([entry], all);
    return { ...entry, ...info.get(entry.id)! };
  }

  /**
   * Sends entries to the raw topic again: the original bytes and headers (so
   * emitter signatures still verify), keyed by content hash like an emitter's
   * record, with `probity-dlq-replay-of` naming the entry. The notary treats a
   * replay like any record: a hash already logged gets no second leaf.
   */
  async replay(select: { ids?: readonly string[]; filter: DlqFilter }, replayedBy: string): Promise<DlqReplayOutcome> {
    const all = await this.entries();
    const outcome: DlqReplayOutcome = { replayed: [], skipped: [] };
    let chosen: DlqEntryDetail[];
    if (select.ids) {
      chosen = [];
      for (const id of select.ids) {
        const wanted = parseDlqEntryId(id);
        const entry = wanted && all.find((e) => e.partition === wanted.partition && e.offset === wanted.offset);
        if (!entry || !matchesDlqFilter(entry, select.filter)) outcome.skipped.push({ id, why: 'no such DLQ entry (or not one this token may see)' });
        else chosen.push(entry);
      }
    } else {
      chosen = all.filter((e) => matchesDlqFilter(e, select.filter));
    }
    const sendable = chosen.filter((e) => {
      if (e.replayable) return true;
      outcome.skipped.push({ id: e.id, why: `reason ${e.reason} comes from the sink (a signed batch or record, not a raw record): it is not sent to the notary again` });
      return false;
    });
    if (sendable.length === 0) return outcome;
    const producer = await this.producerReady();
    await producer.send({
      topic: this.options.topics.raw,
      acks: -1,
      messages: sendable.map((e) => ({ key: e.content_hash!, value: Buffer.from(e.value_base64!, 'base64'), headers: replayHeaders(e.headers, e.id) })),
    });
    const replayedAt = new Date().toISOString().replace('T', ' ').replace('Z', '');
    await this.options.warehouse.insert(
      TABLES.dlqReplays,
      sendable.map((e) => ({ dlq_topic: this.options.topics.dlq, dlq_id: e.id, tenant: e.tenant ?? '', content_hash_hex: e.content_hash!, reason: e.reason, replayed_at: replayedAt, replayed_by: replayedBy })),
      { columns: ['dlq_topic', 'dlq_id', 'tenant', 'content_hash_hex', 'reason', 'replayed_at', 'replayed_by'] },
    );
    outcome.replayed.push(...sendable.map((e) => ({ id: e.id, content_hash: e.content_hash!, tenant: e.tenant })));
    return outcome;
  }

  private async producerReady(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: keyHashPartitioner });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  private async replayInfo(entries: readonly DlqEntry[], all: readonly DlqEntry[]): Promise<Map<string, DlqReplayInfo>> {
    const info = new Map<string, DlqReplayInfo>(entries.map((e) => [e.id, { replays: [], replayed_as: null, refused_again_as: [] }]));
    for (const e of all) if (e.replay_of !== null) info.get(e.replay_of)?.refused_again_as.push(e.id);
    if (entries.length === 0) return info;
    const rows = await this.options.warehouse.query<{ dlq_id: string; replayed_at: string; replayed_by: string }>(
      `SELECT dlq_id, toString(replayed_at) AS replayed_at, replayed_by FROM ${TABLES.dlqReplays}
       WHERE dlq_topic = {topic:String} AND dlq_id IN {ids:Array(String)} ORDER BY replayed_at`,
      { topic: this.options.topics.dlq, ids: entries.map((e) => e.id) },
    );
    for (const r of rows) info.get(r.dlq_id)?.replays.push({ replayed_at: `${r.replayed_at.replace(' ', 'T')}Z`, replayed_by: r.replayed_by });
    const keys = entries.filter((e) => info.get(e.id)!.replays.length > 0 && e.tenant !== null && e.content_hash !== null).map((e) => evidenceLookupKey(e.tenant!, e.content_hash!));
    if (keys.length === 0) return info;
    const leaves = await this.options.warehouse.query<{ lookup_key: string; shard: number; leaf_index: string; notarized_at: string }>(
      `SELECT lookup_key, shard, leaf_index, toString(notarized_at) AS notarized_at FROM ${TABLES.evidenceBlobs} WHERE lookup_key IN {keys:Array(String)}`,
      { keys },
    );
    const byKey = new Map(leaves.map((l) => [l.lookup_key, l]));
    for (const e of entries) {
      if (e.tenant === null || e.content_hash === null || info.get(e.id)!.replays.length === 0) continue;
      const leaf = byKey.get(evidenceLookupKey(e.tenant, e.content_hash));
      if (leaf) info.get(e.id)!.replayed_as = { content_hash: e.content_hash, shard: Number(leaf.shard), leaf_index: Number(leaf.leaf_index), notarized_at: `${leaf.notarized_at.replace(' ', 'T')}Z` };
    }
    return info;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }
}
