import { Kafka, logLevel, type KafkaConfig, type RetryOptions } from 'kafkajs';
import { ProbityError } from '@probity/errors';

export type KafkaErrorCode = 'KAFKA_UNAVAILABLE' | 'KAFKA_TOPIC_MISSING' | 'KAFKA_FAILED';

export class KafkaError extends ProbityError<KafkaErrorCode> {}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** How long the client keeps retrying a broker outage. FACTS.md: these settings rode out a 15 s outage. */
  retry?: RetryOptions;
  connectionTimeoutMs?: number;
  /** Bridge kafkajs' own log lines into ours (warn and above). */
  onLog?: (level: 'error' | 'warn', message: string, extra: Record<string, unknown>) => void;
}

/** kafkajs defaults give up after ~8 s of outage; evidence producers must wait longer. */
export const producerRetry: RetryOptions = { retries: 50, initialRetryTime: 300, maxRetryTime: 3000 };

// We always choose partitions explicitly or by key; kafkajs' v2 partitioner notice is noise here.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export function createKafka(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    retry: options.retry ?? producerRetry,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        if (!options.onLog) return;
        // Deliberate: bounded retries, after which the SDK spools and the notary aborts its transaction.
        if (String(message).startsWith('Limiting retries for the idempotent producer')) return;
        if (level === logLevel.ERROR) options.onLog('error', String(message), extra);
        else if (level === logLevel.WARN) options.onLog('warn', String(message), extra);
      },
  };
  return new Kafka(config);
}

/** Classify a kafkajs failure: connection problems are retriable, the rest are not. */
export function toKafkaError(err: unknown, what: string): KafkaError {
  if (err instanceof KafkaError) return err;
  const e = err as { name?: string; message?: string; retriable?: boolean; code?: string };
  const text = `${e?.name ?? ''} ${e?.message ?? String(err)}`;
  const unavailable = /ECONNREFUSED|ETIMEDOUT|ECONNRESET|Connection|connect|broker|not available|KafkaJSNumberOfRetriesExceeded/i.test(text);
  return new KafkaError(unavailable ? 'KAFKA_UNAVAILABLE' : 'KAFKA_FAILED', `${what}: ${e?.message ?? String(err)}`, {
    cause: err,
    retriable: unavailable || e?.retriable === true,
  });
}
