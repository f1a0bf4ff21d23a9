// Body of the worker started by runInWorker: runs one task and posts the result.
import { parentPort, workerData } from 'node:worker_threads';
import { isProbityError } from '@probity/errors';
import { ks2samp } from './ks/ks2samp.js';
import { psi } from './psi.js';

const { task, args } = workerData as { task: string; args: unknown[] };
const tasks: Record<string, (...a: any[]) => unknown> = { ks2samp, psi };

try {
  const run = tasks[task];
  if (!run) throw new Error(`unknown stats task ${task}`);
  parentPort!.postMessage({ ok: true, result: run(...args) });
} catch (err) {
  parentPort!.postMessage({
    ok: false,
    code: isProbityError(err) ? err.code : 'WORKER_FAILED',
    message: err instanceof Error ? err.message : String(err),
  });
}
