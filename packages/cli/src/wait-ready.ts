/**
 * Readiness probe for infra/*.sh: waits until a server answers a real request
 * (not just an open port), or until a timeout, or until the server's process
 * dies. Exit 0 when ready, 1 otherwise. Kept apart from the CLI's commands so
 * the shell scripts load as little as possible.
 *
 *   node --import tsx packages/cli/src/wait-ready.ts kafka [--timeout-ms N] [--pid P]
 */
import { parseArgs } from 'node:util';
import { loadCommonConfig } from '@probity/config';
import { probeKafka } from './checks/kafka.js';
import { waitUntil } from './wait-until.js';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'timeout-ms': { type: 'string', default: '60000' }, pid: { type: 'string' } },
  });
  const target = positionals[0];
  if (target !== 'kafka') {
    process.stderr.write(`wait-ready: unknown target ${JSON.stringify(target)}; expected "kafka"\n`);
    return 2;
  }
  const pid = values.pid ? Number(values.pid) : undefined;
  const brokers = loadCommonConfig().KAFKA_BROKERS;
  const outcome = await waitUntil(async () => (await probeKafka(brokers, 2000)).healthy, {
    timeoutMs: Number(values['timeout-ms']),
    intervalMs: 250,
    abortIf: () => pid !== undefined && pid > 0 && !processAlive(pid),
  });
  if (outcome === 'aborted') process.stderr.write(`  the Kafka process (pid ${pid}) exited before it became ready\n`);
  return outcome === 'ready' ? 0 : 1;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

process.exitCode = await main();
