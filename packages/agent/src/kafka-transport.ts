import { createKafka, keyHashPartitioner, TOPICS, toKafkaError, type Kafka, type KafkaClientOptions, type Message, type Producer } from '@probity/kafka';
import type { ICustomPartitioner } from 'kafkajs';
import type { Transport } from './dispatcher.js';
import { packByPartition } from './packing.js';
import type { SpooledMessage } from './spool/frame.js';

export interface KafkaTransportOptions {
  /** An existing client; its `retry` bounds how long connecting may take. When absent one is made from `brokers`. */
  kafka?: Kafka;
  brokers?: string[];
  clientId?: string;
  /** @defaultValue `probity.evidence.raw` */
  topic?: string;
  /**
   * How long one send keeps retrying before the batch goes to the spool.
   * Short on purpose: the spool is durable, and a caller waiting on
   * `emit` should not wait out a broker outage.
   * @defaultValue `{ retries: 3, initialRetryTime: 200, maxRetryTime: 1000 }` (about 1.5 s)
   */
  retry?: RetryOptions;
  /** @defaultValue 2000 */
  connectionTimeoutMs?: number;
  onLog?: (level: 'error' | 'warn', message: string, extra: Record<string, unknown>) => void;
  /**
   * Largest raw pack (see RawPack in @probity/evidence): the messages of one
   * send bound for one partition travel as one Kafka message of up to this
   * many bytes. Keep it below the raw topic's `max.message.bytes` (1 MiB by
   * default). 0 sends one Kafka message per record.
   * @defaultValue 524288
   */
  maxPackBytes?: number;
}

type RetryOptions = NonNullable<KafkaClientOptions['retry']>;

export const emitterSendRetry: RetryOptions = { retries: 3, initialRetryTime: 200, maxRetryTime: 1000 };

const EXPECTED_WARNINGS = [
  // We bound retries on purpose: after them the spool takes over.
  'Limiting retries for the idempotent producer',
  // The v2 default (Java-compatible murmur2 on the key) is the one we want.
  'switched default partitioner',
];

/**
 * The dispatcher's Kafka side: one idempotent producer (acks from all
 * in-sync replicas, one request in flight so retries cannot reorder), which
 * connects lazily and reconnects on the next send after a failure. kafkajs
 * rewinds its sequence numbers when a send fails, so resending the same
 * messages from the same producer is deduplicated by the broker.
 */
export class KafkaTransport implements Transport {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly topic: string;
  private readonly maxPackBytes: number;
  /** The raw topic's partition count as kafkajs' metadata last said (seen by the partitioner); unknown before the first send. */
  private partitions: number | null = null;
  private connected: Promise<void> | null = null;

  constructor(options: KafkaTransportOptions) {
    const retry = options.retry ?? emitterSendRetry;
    const kafka =
      options.kafka ??
      createKafka({
        brokers: options.brokers ?? ['127.0.0.1:19092'],
        clientId: options.clientId ?? 'probity-agent',
        retry,
        connectionTimeoutMs: options.connectionTimeoutMs ?? 2000,
        onLog: (level, message, extra) => {
          if (!EXPECTED_WARNINGS.some((w) => message.includes(w))) options.onLog?.(level, message, extra);
        },
      });
    this.kafka = kafka;
    this.topic = options.topic ?? TOPICS.raw;
    this.maxPackBytes = options.maxPackBytes ?? 512 * 1024;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry,
      // Records are keyed by content hash: the same shard as kafkajs' default, at a fraction of its cost.
      // Packs name their partition; the partition count kafkajs works with is noted for the next packing.
      createPartitioner: this.observingPartitioner(keyHashPartitioner),
    });
  }

  async send(messages: readonly SpooledMessage[]): Promise<void> {
    try {
      await this.connect();
      await this.producer.send({ topic: this.topic, acks: -1, messages: this.toKafkaMessages(messages) });
    } catch (err) {
      throw toKafkaError(err, `sending ${messages.length} record(s) to ${this.topic}`);
    }
  }

  async close(): Promise<void> {
    if (this.connected === null) return;
    this.connected = null;
    await this.producer.disconnect().catch(() => undefined);
  }

  /**
   * One Kafka message per partition's run of records when the partition count
   * is known (after the first send), each record keeping its key's partition,
   * so duplicates still meet in one shard. Otherwise one message per record.
   */
  private toKafkaMessages(messages: readonly SpooledMessage[]): Message[] {
    if (this.maxPackBytes > 0 && this.partitions !== null && messages.length > 1) return packByPartition(messages, this.partitions, this.maxPackBytes);
    return messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
  }

  private observingPartitioner(inner: ICustomPartitioner): ICustomPartitioner {
    return () => {
      const choose = inner();
      return (args) => {
        if (args.topic === this.topic && args.partitionMetadata.length > 0) this.partitions = args.partitionMetadata.length;
        return choose(args);
      };
    };
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer
      .connect()
      .then(() => this.learnPartitions())
      .catch((err: unknown) => {
        this.connected = null;
        throw err;
      });
    return this.connected;
  }

  /**
   * The partition count before the first send, so that it is packed too (the
   * partitioner only sees it during a send). Best effort: without it the
   * first send goes one message per record, and the partitioner fills it in.
   */
  private async learnPartitions(): Promise<void> {
    if (this.maxPackBytes === 0 || this.partitions !== null) return;
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const metadata = await admin.fetchTopicMetadata({ topics: [this.topic] });
      const count = metadata.topics[0]?.partitions.length ?? 0;
      if (count > 0) this.partitions ??= count;
    } catch {
      // Unknown topic or broker trouble: the send that follows reports it.
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
