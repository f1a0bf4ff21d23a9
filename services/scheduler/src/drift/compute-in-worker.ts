import { Worker } from 'node:worker_threads';
import { SchedulerError } from '../errors.js';
import type { DriftComputeInput, DriftComputeOutput } from './compute-drift.js';

type WorkerReply = { ok: true; output: DriftComputeOutput } | { ok: false; code?: string; message: string };

/**
 * Runs computeDrift in a worker thread, so sorting and testing 10^7 values
 * never blocks the event loop: BullMQ keeps renewing the job's lock while
 * the numbers are computed. The samples' buffers are moved, not copied (the
 * caller's arrays are detached afterwards). The worker registers tsx itself
 * (drift-worker.mjs) to load the TypeScript, so it runs the same under tsx,
 * vitest or plain node.
 */
export function computeDriftInWorker(input: DriftComputeInput): Promise<DriftComputeOutput> {
  const buffers = new Set<ArrayBuffer>();
  for (const f of input.features) {
    for (const a of [f.reference, f.current]) if (a.byteLength > 0) buffers.add(a.buffer as ArrayBuffer);
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./drift-worker.mjs', import.meta.url), { workerData: input, transferList: [...buffers] });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.once('message', (reply: WorkerReply) =>
      settle(() => {
        if (reply.ok) resolve(reply.output);
        // Bad input (e.g. INVALID_INPUT from @probity/stats) will fail again: not retriable.
        else reject(new SchedulerError('COMPUTE_FAILED', `drift computation failed: ${reply.message}`, { retriable: reply.code === undefined, details: { statsCode: reply.code } }));
      }),
    );
    worker.once('error', (err) => settle(() => reject(new SchedulerError('COMPUTE_FAILED', `drift worker crashed: ${err.message}`, { retriable: true, cause: err }))));
    worker.once('exit', (code) => settle(() => reject(new SchedulerError('COMPUTE_FAILED', `drift worker exited with code ${code} before answering`, { retriable: true }))));
  });
}
