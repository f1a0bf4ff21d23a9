import { parentPort, workerData } from 'node:worker_threads';
import { isProbityError } from '@probity/errors';
import { computeDrift, type DriftComputeInput } from './compute-drift.js';

// Worker-thread side of computeDriftInWorker: one study's numbers, then exit.
try {
  parentPort!.postMessage({ ok: true, output: computeDrift(workerData as DriftComputeInput) });
} catch (err) {
  parentPort!.postMessage({ ok: false, code: isProbityError(err) ? err.code : undefined, message: err instanceof Error ? err.message : String(err) });
}
