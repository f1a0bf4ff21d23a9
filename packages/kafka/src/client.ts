import { gzipSync, unzipSync } from 'node:zlib';
import kafkajs, { Kafka, logLevel, type KafkaConfig, type RetryOptions } from 'kafkajs';
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

/**
 * For transactional producers that commit back to back. After EndTxn the
 * coordinator still writes the transaction markers, and the next transaction's
 * AddPartitionsToTxn may get CONCURRENT_TRANSACTIONS; kafkajs retries the whole
 * send after `initialRetryTime`, so 300 ms stalled a notary shard (seen in
 * bench/ingest: e2e p99 188 ms against ~80). The Java client retries this after
 * 20 ms (KAFKA-5477, kafkajs#304). A broker outage is still ridden out: with the
 * cap at 3 s, 50 retries last over two minutes.
 */
export const transactionalRetry: RetryOptions = { ...producerRetry, initialRetryTime: 2 };

const CONCURRENT_TRANSACTION = /another concurrent operation on the same transaction was ongoing/;
const REBALANCING = /The group is rebalancing/;
/** kafkajs' per-response lines and its runner's notice; a consumer that gives up still logs "Crash: …" (kept). */
const REBALANCE_NOTICE = /^(Response (JoinGroup|SyncGroup|Heartbeat|OffsetCommit)\(|The group is rebalancing, re-joining)/;

// We always choose partitions explicitly or by key; kafkajs' v2 partitioner notice is noise here.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/**
 * kafkajs' gzip codec runs zlib on libuv's thread pool: two thread hand-offs
 * per produce and per fetch, and a wake-up costs ~35–100 µs of CPU on the
 * 2-core VM we measure on. Compressing on the calling thread (whose work
 * waits for it anyway): in four paired bench/ingest runs, e2e p50 was lower
 * in three (90–99 against 110–140 ms) and p99 in three (120–199 against
 * 140–274 ms; the fourth 360 against 286). kafkajs keeps codecs in
 * one table per process, so this applies to every client made here; a 1 MB
 * batch holds the event loop for ~5–12 ms.
 */
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.GZIP] = () => ({
  compress: async (encoder: { buffer: Buffer }) => gzipSync(encoder.buffer),
  decompress: async (buffer: Buffer) => unzipSync(buffer),
});

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
        const text = `${String(message)} ${String(extra.error ?? '')}`;
        // A transaction begun while the last one's markers are still being written: expected back to back,
        // retried after transactionalRetry's 2 ms; if retries run out the send fails and its caller reports it.
        if (CONCURRENT_TRANSACTION.test(text)) return;
        // A member joined or left (every notary instance has several members): kafkajs rejoins by itself,
        // and consumers log the outcome of each join (the notary's "joined the group").
        if (REBALANCING.test(text) && REBALANCE_NOTICE.test(String(message))) return;
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
