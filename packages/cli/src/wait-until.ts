export interface WaitUntilOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Stop early (e.g. the process we wait on died). */
  abortIf?: () => boolean;
}

export type WaitOutcome = 'ready' | 'timeout' | 'aborted';

/** Polls `condition` (errors count as "not yet") until true, the timeout, or `abortIf`. */
export async function waitUntil(condition: () => Promise<boolean>, options: WaitUntilOptions): Promise<WaitOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.abortIf?.()) return 'aborted';
    const ok = await condition().catch(() => false);
    if (ok) return 'ready';
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
