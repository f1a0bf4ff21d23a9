import path from 'node:path';
import { defaultRegistry, type SchemaRegistry } from '@probity/schema';
import type { Kafka } from '@probity/kafka';
import { Dispatcher, type DispatcherEvent, type DispatcherStats, type Durability, type Transport } from './dispatcher.js';
import { EmitError } from './errors.js';
import { KafkaTransport, type KafkaTransportOptions } from './kafka-transport.js';
import { encodeRecord, type EncodedRecord, type RecordFormat, type RecordSigner } from './record-encoder.js';
import { SegmentSpool } from './spool/segment-spool.js';
import type { SpooledMessage } from './spool/frame.js';
import { signBatchOfMessages } from './batch-signer.js';

/** The few logger methods the emitter uses (a pino logger fits). */
export interface EmitterLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface EmitterOptions {
  /**
   * Names this emitter's spool: `<dataDir>/spool/<name>/`. One live process
   * per name; a new process with the same name replays what a crashed one left.
   */
  name: string;
  /** Usually `PROBITY_DATA_DIR`. */
  dataDir: string;
  /** @defaultValue `['127.0.0.1:19092']` */
  brokers?: string[];
  /** A ready kafkajs client instead of `brokers`; its retry settings bound how long a connect may take. */
  kafka?: Kafka;
  /** @defaultValue `probity.evidence.raw` */
  topic?: string;
  /** @defaultValue the repository's schemas (`defaultRegistry()`) */
  registry?: SchemaRegistry;
  /**
   * Sign every record (DSSE, Ed25519), by default one signature per sent batch
   * (see RecordSigner `mode`). The notary accepts the signature only if the
   * public key is registered as an emitter key of the record's tenant.
   */
  signer?: RecordSigner;
  /** @defaultValue 1000 */
  maxBatchMessages?: number;
  /** @defaultValue 5 */
  lingerMs?: number;
  /** @defaultValue 250 */
  replayInitialBackoffMs?: number;
  /** @defaultValue 5000 */
  replayMaxBackoffMs?: number;
  /** Start a new spool segment after this many bytes. @defaultValue 4 MiB */
  spoolSegmentBytes?: number;
  /** Retry budget of one Kafka send before the batch is spooled (see KafkaTransportOptions). */
  kafkaRetry?: KafkaTransportOptions['retry'];
  /**
   * Largest raw pack: a send's records for one partition travel as one Kafka
   * message (see KafkaTransportOptions). 0 sends one message per record, for
   * notaries of builds before raw packs.
   * @defaultValue 524288
   */
  maxPackBytes?: number;
  /**
   * When Kafka is unreachable: `spool` makes the record durable in the local
   * spool; `reject` fails it with the retriable `KAFKA_UNAVAILABLE` (nothing
   * is kept), for a caller that answers its own clients "retry later".
   * @defaultValue `spool`
   */
  whenKafkaUnavailable?: 'spool' | 'reject';
  /** Replace Kafka (tests of the pure logic). */
  transport?: Transport;
  logger?: EmitterLogger;
}

export interface EmitOptions {
  /** @defaultValue `avro` */
  format?: RecordFormat;
}

export interface EmitResult {
  contentHash: string;
  durable: Durability;
}

export interface Enqueued {
  contentHash: string;
  /** Settles once the record is in Kafka or the spool; rejects with `EmitError`. */
  durable: Promise<EmitResult>;
}

export type EmitterStats = DispatcherStats;

export interface Emitter {
  /**
   * Validate, encode and queue one record; resolves once it is durable
   * (acknowledged by Kafka, or fdatasync'ed to the local spool). An invalid
   * record rejects with `EmitError` `MANIFEST_INVALID` naming each bad field.
   * `emit(manifest)` means `emit('EvidenceManifest', manifest)`.
   */
  emit(manifest: unknown, options?: EmitOptions): Promise<EmitResult>;
  emit(recordType: string, value: unknown, options?: EmitOptions): Promise<EmitResult>;
  /**
   * The synchronous half of `emit`, for pipelines that want the content hash
   * now (to cite in their next manifest) and durability later: throws
   * `MANIFEST_INVALID` at once; `durable` settles in the background. Call
   * `flush()` before the step ends: it rejects if any record failed.
   */
  enqueue(recordType: string, value: unknown, options?: EmitOptions): Enqueued;
  /**
   * Validate and encode without queueing (throws `MANIFEST_INVALID`): lets a
   * caller check a whole batch before sending any of it. Signed here only in
   * signer mode `record`; in batch mode `send` signs, so produce what this
   * returns through `send`, not a producer of your own.
   */
  encode(recordType: string, value: unknown, options?: EmitOptions): EncodedRecord;
  /** Queue a record made by `encode`; resolves once durable. */
  send(record: EncodedRecord): Promise<EmitResult>;
  /** Resolves when every record queued so far is durable; rejects with the first failure since the last flush. */
  flush(): Promise<void>;
  /**
   * Flush, optionally wait up to `drainTimeoutMs` for the spool to reach
   * Kafka, then close. Whatever is still spooled is replayed by the next
   * emitter with the same name.
   */
  close(options?: { drainTimeoutMs?: number }): Promise<void>;
  stats(): EmitterStats;
}

/**
 * An emitter of evidence records. Opens (and locks) its spool first: a spool
 * left by an earlier run is replayed before any new record goes to Kafka.
 */
export async function createEmitter(options: EmitterOptions): Promise<Emitter> {
  const registry = options.registry ?? defaultRegistry();
  const logger = options.logger;
  const spool = await SegmentSpool.open(path.join(options.dataDir, 'spool', options.name), { segmentBytes: options.spoolSegmentBytes });
  const transport =
    options.transport ??
    new KafkaTransport({
      kafka: options.kafka,
      brokers: options.brokers,
      clientId: `probity-agent-${options.name}`,
      topic: options.topic,
      retry: options.kafkaRetry,
      ...(options.maxPackBytes !== undefined ? { maxPackBytes: options.maxPackBytes } : {}),
      onLog: (level, message, extra) => logger?.[level]({ kafka: extra }, message),
    });
  const dispatcher = new Dispatcher({
    transport,
    spool,
    maxBatchMessages: options.maxBatchMessages,
    lingerMs: options.lingerMs,
    ...(options.whenKafkaUnavailable ? { whenUnavailable: options.whenKafkaUnavailable } : {}),
    replayInitialBackoffMs: options.replayInitialBackoffMs,
    replayMaxBackoffMs: options.replayMaxBackoffMs,
    onEvent: (event) => logEvent(logger, event),
    ...(options.signer && options.signer.mode !== 'record' ? { seal: (messages: SpooledMessage[]) => signBatchOfMessages(messages, options.signer!) } : {}),
  });
  let closed = false;

  // In batch mode (the default) the dispatcher signs each batch as it is sent; records are encoded unsigned.
  const recordSigner = options.signer?.mode === 'record' ? options.signer : undefined;
  const encode = (recordType: string, value: unknown, emitOptions: EmitOptions = {}): EncodedRecord =>
    encodeRecord(registry, recordType, value, emitOptions.format ?? 'avro', recordSigner);

  const queue = (record: EncodedRecord): Promise<EmitResult> => {
    if (closed) throw new EmitError('EMITTER_CLOSED', `emitter ${options.name} is closed`);
    const durable = dispatcher.enqueue(record.message).then((where) => ({ contentHash: record.contentHash, durable: where }));
    // Callers of enqueue may never look at `durable`; failures still surface through flush() and stats().
    durable.catch(() => undefined);
    return durable;
  };

  const enqueue = (recordType: string, value: unknown, emitOptions: EmitOptions = {}): Enqueued => {
    if (closed) throw new EmitError('EMITTER_CLOSED', `emitter ${options.name} is closed`);
    const record = encode(recordType, value, emitOptions);
    return { contentHash: record.contentHash, durable: queue(record) };
  };

  function emit(first: unknown, second?: unknown, third?: EmitOptions): Promise<EmitResult> {
    const [recordType, value, emitOptions] = typeof first === 'string' ? [first, second, third] : ['EvidenceManifest', first, second as EmitOptions | undefined];
    try {
      return enqueue(recordType, value, emitOptions).durable;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  return {
    emit: emit as Emitter['emit'],
    enqueue,
    encode,
    send(record) {
      try {
        return queue(record);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    flush: () => dispatcher.flush(),
    async close(closeOptions = {}) {
      if (closed) return;
      closed = true;
      await dispatcher.flush().catch(() => undefined);
      if (closeOptions.drainTimeoutMs !== undefined && closeOptions.drainTimeoutMs > 0) await dispatcher.waitForKafkaMode(closeOptions.drainTimeoutMs);
      await dispatcher.close();
    },
    stats: () => dispatcher.stats(),
  };
}

function logEvent(logger: EmitterLogger | undefined, event: DispatcherEvent): void {
  if (!logger) return;
  const reason = (r: unknown) => (r instanceof Error ? r.message : String(r));
  switch (event.kind) {
    case 'spooling':
      logger.warn({ reason: reason(event.reason) }, 'Kafka unreachable: spooling evidence locally until it returns');
      break;
    case 'replay-failed':
      logger.warn({ reason: reason(event.reason), backoffMs: event.backoffMs }, 'spool replay failed; retrying');
      break;
    case 'replay-done':
      logger.info({ replayed: event.replayed }, 'spool replayed into Kafka');
      break;
    case 'quarantined':
      logger.error({ reason: reason(event.reason), file: event.file, count: event.count }, 'Kafka refused spooled records for good; kept them in the quarantine file');
      break;
  }
}
