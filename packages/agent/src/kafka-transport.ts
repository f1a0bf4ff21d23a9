import { createKafka, keyHashPartitioner, TOPICS, toKafkaError, type Kafka, type KafkaClientOptions, type Producer } from '@probity/kafka';
import type { Transport } from './dispatcher.js';
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
  private readonly producer: Producer;
  private readonly topic: string;
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
    this.topic = options.topic ?? TOPICS.raw;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry,
      // Records are keyed by content hash: the same shard as kafkajs' default, at a fraction of its cost.
      createPartitioner: keyHashPartitioner,
    });
  }

  async send(messages: readonly SpooledMessage[]): Promise<void> {
    try {
      await this.connect();
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      });
    } catch (err) {
      throw toKafkaError(err, `sending ${messages.length} record(s) to ${this.topic}`);
    }
  }

  async close(): Promise<void> {
    if (this.connected === null) return;
    this.connected = null;
    await this.producer.disconnect().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = null;
      throw err;
    });
    return this.connected;
  }
}
