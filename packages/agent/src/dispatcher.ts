import { EmitError } from './errors.js';
import type { SpooledMessage } from './spool/frame.js';
import type { SegmentSpool, SpoolCursor, SpoolStats } from './spool/segment-spool.js';

/** Where a record became durable. */
export type Durability = 'kafka' | 'spool';

/**
 * What the dispatcher needs from Kafka: send a batch, in order, and resolve
 * only when every message is acknowledged. Errors with `retriable: true` mean
 * "the broker is unreachable, try later"; anything else is final for the batch.
 */
export interface Transport {
  send(messages: readonly SpooledMessage[]): Promise<void>;
  close(): Promise<void>;
}

export type SpoolStore = Pick<SegmentSpool, 'start' | 'isEmpty' | 'isCaughtUp' | 'stats' | 'append' | 'read' | 'ack' | 'clear' | 'quarantine' | 'close'>;

export interface DispatcherOptions {
  transport: Transport;
  spool: SpoolStore;
  /** Most messages per `send`. @defaultValue 1000 */
  maxBatchMessages?: number;
  /** How long an idle dispatcher waits for more messages before sending a partial batch. @defaultValue 5 */
  lingerMs?: number;
  /** First wait before retrying Kafka from the spool; doubles up to `replayMaxBackoffMs`. @defaultValue 250 */
  replayInitialBackoffMs?: number;
  /** @defaultValue 5000 */
  replayMaxBackoffMs?: number;
  /** Messages per replayed batch. @defaultValue 1000 */
  replayBatchMessages?: number;
  /**
   * What a batch does when Kafka is unreachable: `spool` (append it to the
   * spool, durable locally) or `reject` (fail its promises with the retriable
   * `KAFKA_UNAVAILABLE`, for callers that retry themselves, such as the
   * ingest gateway's HTTP clients). A spool found at start is still replayed
   * first, with new messages appended behind it until it is drained (order).
   * @defaultValue `spool`
   */
  whenUnavailable?: 'spool' | 'reject';
  /** Runs on each batch just before it goes to Kafka or the spool (batch signing); may add headers. */
  seal?: (messages: SpooledMessage[]) => void;
  /** Called for failures the dispatcher handles itself (outage → spool, replay retry, quarantine). */
  onEvent?: (event: DispatcherEvent) => void;
}

export type DispatcherEvent =
  | { kind: 'spooling'; reason: unknown }
  | { kind: 'replay-failed'; reason: unknown; backoffMs: number }
  | { kind: 'replay-done'; replayed: number }
  | { kind: 'quarantined'; file: string; count: number; reason: unknown };

export interface DispatcherStats {
  /** Messages accepted by `enqueue`. */
  emitted: number;
  /** Acknowledged by Kafka on first send. */
  acked: number;
  /** Appended to the spool (broker unreachable, or spool not yet drained). */
  spooled: number;
  /** Sent from the spool to Kafka and acknowledged. */
  replayed: number;
  /** Rejected: their promise failed with KAFKA_FAILED or SPOOL_FAILED (or quarantined during replay). */
  failed: number;
  /** Accepted but not yet durable. */
  queueDepth: number;
  mode: 'kafka' | 'spool';
  spool: SpoolStats;
}

interface Pending {
  message: SpooledMessage;
  resolve: (durability: Durability) => void;
  reject: (err: EmitError) => void;
}

const isRetriable = (err: unknown) => (err as { retriable?: unknown } | null)?.retriable === true;

/**
 * Moves encoded messages to durability in the background, in order:
 *
 * - The front lane batches the queue (up to `maxBatchMessages`, or after
 *   `lingerMs` when idle) and sends each batch with one `send`. While a send
 *   is in flight the next batch accumulates, so load batches itself.
 * - If Kafka is unreachable the batch goes to the spool instead and the
 *   dispatcher switches to spool mode: every later batch is appended to the
 *   spool too, so the order in Kafka stays the order of `enqueue`.
 * - The replay lane sends the spool to Kafka oldest first, with backoff, acks
 *   segments as they land, and switches back to Kafka mode once it has caught
 *   up with no append in flight.
 *
 * Callers' promises settle in enqueue order (which `flush` relies on).
 */
export class Dispatcher {
  private readonly transport: Transport;
  private readonly spool: SpoolStore;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly replayInitialBackoffMs: number;
  private readonly replayMaxBackoffMs: number;
  private readonly replayBatch: number;
  private readonly onEvent: (event: DispatcherEvent) => void;
  private readonly seal: ((messages: SpooledMessage[]) => void) | undefined;
  private readonly rejectWhenUnavailable: boolean;

  private queue: Pending[] = [];
  private mode: 'kafka' | 'spool';
  private frontRunning = false;
  private appending = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private replayRunning: Promise<void> | null = null;
  private stopping = false;
  private wakeReplay: (() => void) | null = null;
  private enqueued = 0;
  private settled = 0;
  private failedSinceFlush: EmitError | null = null;
  private flushWaiters: { target: number; resolve: () => void }[] = [];
  private modeWaiters: (() => void)[] = [];
  private readonly counts = { acked: 0, spooled: 0, replayed: 0, failed: 0 };

  constructor(options: DispatcherOptions) {
    this.transport = options.transport;
    this.spool = options.spool;
    this.maxBatch = options.maxBatchMessages ?? 1000;
    this.lingerMs = options.lingerMs ?? 5;
    this.replayInitialBackoffMs = options.replayInitialBackoffMs ?? 250;
    this.replayMaxBackoffMs = options.replayMaxBackoffMs ?? 5000;
    this.replayBatch = options.replayBatchMessages ?? 1000;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.seal = options.seal;
    this.rejectWhenUnavailable = options.whenUnavailable === 'reject';
    // A spool left by an earlier run (or a crash) is replayed before anything new.
    this.mode = this.spool.isEmpty() ? 'kafka' : 'spool';
    if (this.mode === 'spool') this.startReplay(0);
  }

  /** Queue a message; the promise settles once it is durable (or definitively failed). Synchronous apart from that. */
  enqueue(message: SpooledMessage): Promise<Durability> {
    const promise = new Promise<Durability>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
    });
    this.enqueued += 1;
    if (this.queue.length >= this.maxBatch) this.startFront();
    else if (!this.frontRunning && this.lingerTimer === null) this.lingerTimer = setTimeout(() => this.startFront(), this.lingerMs);
    return promise;
  }

  /**
   * Resolve once every message enqueued before this call is durable. Rejects
   * with the first failure since the previous flush, so a caller that used
   * fire-and-forget enqueues still learns that something was not stored.
   */
  async flush(): Promise<void> {
    const target = this.enqueued;
    if (this.settled < target) {
      this.startFront();
      await new Promise<void>((resolve) => this.flushWaiters.push({ target, resolve }));
    }
    const failure = this.failedSinceFlush;
    this.failedSinceFlush = null;
    if (failure) throw failure;
  }

  /** Wait until the spool is drained into Kafka, or `timeoutMs` passes. Returns true if drained. */
  async waitForKafkaMode(timeoutMs: number): Promise<boolean> {
    if (this.mode === 'kafka') return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => this.modeWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return drained;
  }

  /** Make everything queued durable, stop replaying (the spool stays for the next start) and close transport and spool. */
  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.stopping = true;
    this.wakeReplay?.();
    await this.replayRunning;
    await this.transport.close();
    await this.spool.close();
  }

  stats(): DispatcherStats {
    return { emitted: this.enqueued, ...this.counts, queueDepth: this.enqueued - this.settled, mode: this.mode, spool: this.spool.stats() };
  }

  private startFront(): void {
    if (this.lingerTimer !== null) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    if (this.frontRunning || this.queue.length === 0) return;
    this.frontRunning = true;
    void this.runFront();
  }

  private async runFront(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
        this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
        if (this.seal) {
          try {
            this.seal(batch.map((p) => p.message));
          } catch (err) {
            this.fail(batch, new EmitError('SIGNING_FAILED', `cannot sign the batch: ${(err as Error).message}`, { cause: err }));
            continue;
          }
        }
        await this.deliver(batch);
      }
    } finally {
      this.frontRunning = false;
    }
  }

  private async deliver(batch: Pending[]): Promise<void> {
    if (this.mode === 'spool') return this.appendToSpool(batch);
    try {
      await this.transport.send(batch.map((p) => p.message));
      this.counts.acked += batch.length;
      this.settle(batch, 'kafka');
    } catch (err) {
      if (isRetriable(err) && this.rejectWhenUnavailable) {
        this.fail(batch, new EmitError('KAFKA_UNAVAILABLE', `Kafka is unreachable: ${(err as Error).message}`, { cause: err, retriable: true }));
        return;
      }
      if (isRetriable(err)) {
        this.enterSpoolMode(err);
        return this.appendToSpool(batch);
      }
      if (batch.length > 1) {
        // One bad message (e.g. too large) must not fail its neighbours: retry them one by one.
        for (const pending of batch) await this.deliver([pending]);
        return;
      }
      this.fail(batch, new EmitError('KAFKA_FAILED', `Kafka refused the record: ${(err as Error).message}`, { cause: err }));
    }
  }

  private async appendToSpool(batch: Pending[]): Promise<void> {
    this.appending = true;
    try {
      await this.spool.append(batch.map((p) => p.message));
      this.counts.spooled += batch.length;
      this.settle(batch, 'spool');
    } catch (err) {
      const error = err instanceof EmitError ? err : new EmitError('SPOOL_FAILED', `cannot write the spool: ${(err as Error).message}`, { cause: err });
      this.fail(batch, error);
    } finally {
      this.appending = false;
    }
  }

  private settle(batch: Pending[], durability: Durability): void {
    for (const pending of batch) pending.resolve(durability);
    this.advance(batch.length);
  }

  private fail(batch: Pending[], err: EmitError): void {
    this.counts.failed += batch.length;
    this.failedSinceFlush ??= err;
    for (const pending of batch) pending.reject(err);
    this.advance(batch.length);
  }

  private advance(count: number): void {
    this.settled += count;
    if (this.flushWaiters.length === 0) return;
    const ready = this.flushWaiters.filter((w) => w.target <= this.settled);
    this.flushWaiters = this.flushWaiters.filter((w) => w.target > this.settled);
    for (const waiter of ready) waiter.resolve();
  }

  private enterSpoolMode(reason: unknown): void {
    this.mode = 'spool';
    this.onEvent({ kind: 'spooling', reason });
    this.startReplay(this.replayInitialBackoffMs);
  }

  private startReplay(firstDelayMs: number): void {
    if (this.replayRunning || this.stopping) return;
    this.replayRunning = this.runReplay(firstDelayMs).finally(() => {
      this.replayRunning = null;
    });
  }

  private async runReplay(firstDelayMs: number): Promise<void> {
    let cursor: SpoolCursor = this.spool.start;
    let backoff = this.replayInitialBackoffMs;
    let replayed = 0;
    if (firstDelayMs > 0) await this.sleep(firstDelayMs);
    while (!this.stopping) {
      let chunk: { messages: SpooledMessage[]; next: SpoolCursor };
      try {
        chunk = await this.spool.read(cursor, { maxMessages: this.replayBatch, maxBytes: 4 * 1024 * 1024 });
      } catch (err) {
        this.onEvent({ kind: 'replay-failed', reason: err, backoffMs: backoff });
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.replayMaxBackoffMs);
        continue;
      }
      if (chunk.messages.length === 0) {
        // Decided synchronously: no append can slip in between the check and the switch.
        if (!this.appending && this.spool.isCaughtUp(chunk.next)) {
          this.mode = 'kafka';
          await this.spool.clear(chunk.next).catch((err: unknown) => this.onEvent({ kind: 'replay-failed', reason: err, backoffMs: 0 }));
          this.onEvent({ kind: 'replay-done', replayed });
          for (const waiter of this.modeWaiters.splice(0)) waiter();
          if (this.queue.length > 0) this.startFront();
          return;
        }
        await this.sleep(this.lingerMs);
        continue;
      }
      try {
        await this.sendReplayChunk(chunk.messages);
        cursor = chunk.next;
        await this.spool.ack(cursor);
        this.counts.replayed += chunk.messages.length;
        replayed += chunk.messages.length;
        backoff = this.replayInitialBackoffMs;
      } catch (err) {
        this.onEvent({ kind: 'replay-failed', reason: err, backoffMs: backoff });
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.replayMaxBackoffMs);
      }
    }
  }

  /** Send a spooled chunk; messages Kafka refuses for good are quarantined, never retried forever. */
  private async sendReplayChunk(messages: SpooledMessage[]): Promise<void> {
    try {
      await this.transport.send(messages);
      return;
    } catch (err) {
      if (isRetriable(err)) throw err;
    }
    for (const message of messages) {
      try {
        await this.transport.send([message]);
      } catch (err) {
        if (isRetriable(err)) throw err;
        const file = await this.spool.quarantine([message]);
        this.counts.failed += 1;
        this.onEvent({ kind: 'quarantined', file, count: 1, reason: err });
      }
    }
  }

  /** A sleep that `close` can cut short; unref'd because spooled data is already durable. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeReplay = done;
    });
  }
}
