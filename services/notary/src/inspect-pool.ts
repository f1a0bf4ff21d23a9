import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NotaryError } from './errors.js';
import type { RawMessage } from './inspect.js';
import { fromWire, packRequest, type InspectResponse, type WireOutcome } from './inspect-wire.js';
import type { Outcome } from './outcome.js';

/** Decides about raw messages; inline (`inspectMessage`) or on worker threads (`InspectPool`). */
export interface Inspector {
  inspect(messages: readonly RawMessage[], now: Date): Promise<Outcome[]>;
}

export interface InspectPoolOptions {
  threads: number;
  /** The tenant policy file (each worker reads and reloads it, as the main thread would). */
  policiesFile: string;
  maxMessageBytes: number;
}

interface PoolWorker {
  worker: Worker;
  online: Promise<void>;
  pending: Map<number, { resolve: (outcomes: WireOutcome[]) => void; reject: (err: Error) => void }>;
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
 * thread keeps Kafka, the log, the store and signing. A worker that dies is
 * replaced; the batch it held fails (INSPECT_FAILED, retriable) and is retried.
 */
export class InspectPool implements Inspector {
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: InspectPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`an inspect pool needs at least one thread, got ${options.threads}`);
    for (let i = 0; i < options.threads; i++) this.workers.push(this.spawn());
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Resolves once every worker has loaded its modules, so the first batch does not pay for start-up. */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.online));
  }

  async inspect(messages: readonly RawMessage[], now: Date): Promise<Outcome[]> {
    if (this.closed) throw new NotaryError('INSPECT_FAILED', 'the inspect pool is closed');
    const slices = slicesOf(messages, this.workers.length);
    const results = await Promise.all(slices.map((slice, i) => this.run(this.workers[i]!, slice, now)));
    return results.flatMap((wire, i) => wire.map((outcome, j) => fromWire(outcome, slices[i]![j]!)));
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    for (const w of workers) rejectAll(w, new NotaryError('INSPECT_FAILED', 'the inspect pool closed'));
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private run(target: PoolWorker, messages: readonly RawMessage[], now: Date): Promise<WireOutcome[]> {
    const id = ++this.nextId;
    const { request, transfer } = packRequest(id, messages, now);
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage(request, transfer);
    });
  }

  private spawn(): PoolWorker {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { policiesFile: this.options.policiesFile, maxMessageBytes: this.options.maxMessageBytes },
    });
    let ready!: () => void;
    const entry: PoolWorker = { worker, pending: new Map(), online: new Promise((resolve) => (ready = resolve)) };
    worker.on('message', (response: InspectResponse | { ready: true }) => {
      if ('ready' in response) return ready();
      const waiting = entry.pending.get(response.id);
      if (!waiting) return;
      entry.pending.delete(response.id);
      if ('error' in response) waiting.reject(new NotaryError('INSPECT_FAILED', `an inspect worker failed: ${response.error}`, { retriable: true }));
      else waiting.resolve(response.outcomes);
    });
    worker.on('error', (err) => this.replace(entry, err));
    worker.on('exit', (code) => this.replace(entry, new Error(`exited with code ${code}`)));
    return entry;
  }

  private replace(entry: PoolWorker, cause: Error): void {
    rejectAll(entry, new NotaryError('INSPECT_FAILED', `an inspect worker stopped: ${cause.message}; the batch is retried`, { cause, retriable: true }));
    const index = this.workers.indexOf(entry);
    if (this.closed || index < 0) return;
    this.workers[index] = this.spawn();
    void entry.worker.terminate();
  }
}

function rejectAll(entry: PoolWorker, err: Error): void {
  for (const waiting of entry.pending.values()) waiting.reject(err);
  entry.pending.clear();
}

/** Contiguous slices, one per worker, none empty; small chunks are not worth splitting. */
function slicesOf<T>(items: readonly T[], parts: number): T[][] {
  const useful = Math.max(1, Math.min(parts, Math.floor(items.length / 16)));
  const size = Math.ceil(items.length / useful);
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}
