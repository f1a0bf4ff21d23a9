import type { CliIo } from './command.js';

/**
 * Runs one step and prints "▸ starting Kafka… ok (3.4 s)" on stderr; on
 * failure prints "failed" and rethrows so the caller decides the exit code.
 */
export async function step<T>(io: CliIo, label: string, work: () => Promise<T>, describe?: (result: T) => string): Promise<T> {
  io.stderr(`▸ ${label}… `);
  const started = performance.now();
  try {
    const result = await work();
    const note = describe ? describe(result) : '';
    const extra = note ? `, ${note}` : '';
    io.stderr(`ok (${seconds(performance.now() - started)}${extra})\n`);
    return result;
  } catch (err) {
    io.stderr(`failed (${seconds(performance.now() - started)})\n`);
    throw err;
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
