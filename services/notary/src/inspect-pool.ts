import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NotaryError } from './errors.js';
import type { RawMessage } from './inspect.js';
import { fromWire, packRequest, type InspectResponse, type WireOutcome } from './inspect-wire.js';
import type { Outcome } from './outcome.js';
import type { TenantPolicyFile } from './tenant-policy.js';

/** Decides about raw messages; inline (`inspectMessage`) or on worker threads (`InspectPool`). */
export interface Inspector {
  inspect(messages: readonly RawMessage[], now: Date): Promise<Outcome[]>;
}

export interface InspectPoolOptions {
  threads: number;
  /** The tenant policies in force, as the main thread holds them (it reloads the file and keeps the last good one). */
  policies: () => { version: number; policies: TenantPolicyFile };
  maxMessageBytes: number;
}

interface PoolWorker {
  worker: Worker;
  /** Resolves when the worker has loaded its modules; rejects if it stops before. */
  ready: Promise<void>;
  pending: Map<number, { resolve: (outcomes: WireOutcome[]) => void; reject: (err: Error) => void }>;
  /** The policy version this worker has; a request carries the policies when it differs. */
  policyVersion: number;
  stopped: boolean;
}

// The worker is TypeScript like the service and runs the way the service does, through tsx:
// a bootstrap registers tsx's loader in the new thread, then imports the worker module.
const WORKER_URL = new URL('./inspect-worker.ts', import.meta.url);
const TSX_API = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx')), 'esm', 'api', 'index.mjs')).href;
const BOOTSTRAP = `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;

/**
 * Worker threads that inspect raw messages (decode, validate, verify emitter
 * signatures, hash): the per-message work that needs nothing of the log, so
 * a notary can use more than one core. A chunk is split into one contiguous
 * slice per worker and the outcomes come back in message order. The main
 * thread keeps Kafka, the log, the store, signing and the tenant policies.
 *
 * A worker that stops fails the batch it held (INSPECT_FAILED, retriable:
 * kafkajs retries the batch) and is started again by the next batch, so a
 * worker that cannot start costs one attempt per retry, not a respawn loop.
 */
export class InspectPool implements Inspector {
  private readonly slots: (PoolWorker | null)[];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: InspectPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`an inspect pool needs at least one thread, got ${options.threads}`);
    this.slots = Array.from({ length: options.threads }, () => null);
  }

  get threads(): number {
    return this.slots.length;
  }

  /** Starts every worker and resolves once they have loaded their modules; rejects (INSPECT_FAILED) if one cannot. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((_, i) => this.workerAt(i).ready));
  }

  async inspect(messages: readonly RawMessage[], now: Date): Promise<Outcome[]> {
    if (this.closed) throw new NotaryError('INSPECT_FAILED', 'the inspect pool is closed');
    const slices = slicesOf(messages, this.slots.length);
    const workers = slices.map((_, i) => this.workerAt(i));
    await Promise.all(workers.map((w) => w.ready));
    const { version, policies } = this.options.policies();
    const results = await Promise.all(slices.map((slice, i) => this.run(workers[i]!, slice, now, version, policies)));
    return results.flatMap((wire, i) => wire.map((outcome, j) => fromWire(outcome, slices[i]![j]!)));
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.slots.splice(0).filter((w): w is PoolWorker => w !== null);
    for (const w of workers) this.stopped(w, new Error('the inspect pool closed'));
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private run(target: PoolWorker, messages: readonly RawMessage[], now: Date, version: number, policies: TenantPolicyFile): Promise<WireOutcome[]> {
    if (target.stopped) return Promise.reject(new NotaryError('INSPECT_FAILED', 'an inspect worker stopped; the batch is retried', { retriable: true }));
    const id = ++this.nextId;
    const { request, transfer } = packRequest(id, messages, now, target.policyVersion === version ? undefined : { version, file: policies });
    target.policyVersion = version;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage(request, transfer);
    });
  }

  /** The worker of a slot, started if the slot is empty or its worker stopped. */
  private workerAt(index: number): PoolWorker {
    const current = this.slots[index];
    if (current && !current.stopped) return current;
    const started = this.spawn();
    this.slots[index] = started;
    return started;
  }

  private spawn(): PoolWorker {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { maxMessageBytes: this.options.maxMessageBytes } });
    let markReady!: () => void;
    let failStart!: (err: Error) => void;
    const entry: PoolWorker = {
      worker,
      pending: new Map(),
      policyVersion: -1,
      stopped: false,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failStart = reject;
      }),
    };
    // Nobody may be waiting yet; the rejection is still seen by whoever awaits `ready` later.
    entry.ready.catch(() => undefined);
    worker.on('message', (response: InspectResponse | { ready: true }) => {
      if ('ready' in response) return markReady();
      const waiting = entry.pending.get(response.id);
      if (!waiting) return;
      entry.pending.delete(response.id);
      if ('error' in response) waiting.reject(new NotaryError('INSPECT_FAILED', `an inspect worker failed: ${response.error}`, { retriable: true }));
      else waiting.resolve(response.outcomes);
    });
    const onStop = (cause: Error) => {
      failStart(new NotaryError('INSPECT_FAILED', `an inspect worker could not start: ${cause.message}`, { cause, retriable: true }));
      this.stopped(entry, cause);
    };
    worker.on('error', onStop);
    worker.on('exit', (code) => onStop(new Error(`exited with code ${code}`)));
    return entry;
  }

  private stopped(entry: PoolWorker, cause: Error): void {
    if (entry.stopped) return;
    entry.stopped = true;
    for (const waiting of entry.pending.values()) {
      waiting.reject(new NotaryError('INSPECT_FAILED', `an inspect worker stopped (${cause.message}); the batch is retried`, { cause, retriable: true }));
    }
    entry.pending.clear();
    void entry.worker.terminate();
  }
}

/** Contiguous slices, one per worker, none empty; small chunks are not worth splitting. */
function slicesOf<T>(items: readonly T[], parts: number): T[][] {
  const useful = Math.max(1, Math.min(parts, Math.floor(items.length / 16)));
  const size = Math.ceil(items.length / useful);
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}
