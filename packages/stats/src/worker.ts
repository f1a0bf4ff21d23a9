import { Worker } from 'node:worker_threads';
import { StatsError } from './errors.js';
import type { Ks2SampOptions, Ks2SampResult } from './ks/ks2samp.js';
import type { PsiOptions, PsiResult } from './psi.js';
import type { NumericArray } from './validate.js';

/** Studies that can run off the main thread, with their argument and result types. */
export interface WorkerTasks {
  ks2samp: { args: [a: NumericArray, b: NumericArray, options?: Ks2SampOptions]; result: Ks2SampResult };
  psi: { args: [reference: NumericArray, current: NumericArray, options?: PsiOptions]; result: PsiResult };
}

export interface RunInWorkerOptions {
  /**
   * Move the Float64Array buffers into the worker instead of copying them
   * (saves 80 MB of copying per 10^7 points). The caller's arrays become
   * detached (length 0) afterwards.
   * @defaultValue false
   */
  transfer?: boolean;
}

/**
 * Runs a CPU-heavy study in a `worker_threads` Worker so the caller's event
 * loop stays free: a BullMQ worker keeps renewing its job lock, a Kafka
 * consumer keeps heart-beating. A 10^7 × 10^7 KS test takes seconds of pure
 * CPU; never run it on the main thread of a service.
 *
 * The worker registers tsx's loader itself (worker-bootstrap.mjs; tsx is a
 * root dev dependency and what runs our services). Errors thrown in the worker arrive as
 * `StatsError` with their original code; a crash gives WORKER_FAILED.
 */
export function runInWorker<K extends keyof WorkerTasks>(
  task: K,
  args: WorkerTasks[K]['args'],
  options: RunInWorkerOptions = {},
): Promise<WorkerTasks[K]['result']> {
  const transferList = options.transfer
    ? args.filter((a): a is Float64Array => a instanceof Float64Array).map((a) => a.buffer as ArrayBuffer)
    : [];
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
      workerData: { task, args },
      transferList,
    });
    let settled = false;
    worker.once('message', (message: { ok: true; result: WorkerTasks[K]['result'] } | { ok: false; code: string; message: string }) => {
      settled = true;
      if (message.ok) resolve(message.result);
      else reject(new StatsError(message.code as StatsError['code'], message.message));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new StatsError('WORKER_FAILED', `stats worker for ${task} failed: ${err.message}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new StatsError('WORKER_FAILED', `stats worker for ${task} exited with code ${code} before answering`));
    });
  });
}
