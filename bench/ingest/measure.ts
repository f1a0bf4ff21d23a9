/** Measuring helpers shared by the ingest benches (CPU of processes, counting records on a topic, cleanup). */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDirLayout, loadCommonConfig } from '@probity/config';
import { HEADER, headerString, type Kafka } from '@probity/kafka';
import type { SignedBatchSeen } from './signed-reader.js';

export function processCpuSeconds(pid: number): number {
  const { user, system } = processCpuSplit(pid);
  return user + system;
}

/** A process's CPU seconds in user and in kernel mode (utime and stime of /proc/<pid>/stat, in clock ticks of 10 ms). */
function processCpuSplit(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** The machine's CPU time since boot from /proc/stat, in clock ticks: all of it, idle (with iowait), and stolen by the hypervisor. */
function machineTicks(): { total: number; idle: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

/**
 * Share of a core each named process used, and how busy the machine was (and how much the hypervisor stole),
 * from the call until the returned function is called: for finding whether a phase ran out of CPU.
 */
export function cpuShares(pids: Record<string, number | undefined>): () => string {
  const wallStart = performance.now();
  const machineStart = machineTicks();
  const start = Object.entries(pids).flatMap(([name, pid]) => (pid ? [{ name, pid, cpu: processCpuSplit(pid) }] : []));
  return () => {
    const wall = (performance.now() - wallStart) / 1000;
    const machine = machineTicks();
    const total = machine.total - machineStart.total;
    const percent = (seconds: number) => `${((seconds / wall) * 100).toFixed(0)}%`;
    const shares = start.map(({ name, pid, cpu }) => {
      const now = processCpuSplit(pid);
      return `${name} ${percent(now.user - cpu.user + now.system - cpu.system)} (kernel ${percent(now.system - cpu.system)})`;
    });
    const busy = total > 0 ? ((total - (machine.idle - machineStart.idle)) / total) * 100 : NaN;
    const steal = total > 0 ? ((machine.steal - machineStart.steal) / total) * 100 : NaN;
    return `${shares.join(', ')} of a core; machine busy ${busy.toFixed(0)}% of all cores, of which stolen by the hypervisor ${steal.toFixed(0)}%`;
  };
}

/** The broker's pid from infra's pid file, if this machine runs it (for its CPU share). */
export function brokerPid(): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDirLayout(loadCommonConfig().PROBITY_DATA_DIR).runDir, 'kafka.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}/stat`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `topic` until `expected` records: a message counts 1, or the records its probity-record-count header says (signed batches). */
export async function countRecords(kafka: Kafka, topic: string, expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: Number(process.env.BENCH_READ_WAIT_MS ?? 50), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        seen += Number(headerString(message.headers, HEADER.recordCount) ?? 1);
      }
      if (seen >= expected) done();
    },
  });
  await finished;
  const end = performance.now();
  await consumer.disconnect();
  return end;
}

/** A fresh topic of 3 partitions named `<prefix>-<uuid>`; drop it with dropTopics when done. */
export async function createTopic(kafka: Kafka, prefix: string): Promise<string> {
  const topic = `${prefix}-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
  await admin.disconnect();
  return topic;
}

/** Topics are kept forever (retention -1): a bench that left its own behind slowed the broker for every later run. */
export async function dropTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch((err: unknown) => process.stdout.write(`  (could not delete ${topics.join(', ')}: ${(err as Error).message})\n`));
  await admin.disconnect();
}

/**
 * Reads `topic` in a child process (signed-reader.ts), calling `onBatch` for each batch it fetched;
 * `stop` ends it, and `failed` rejects if it exits before that.
 */
export function readSignedElsewhere(topic: string, onBatch: (seen: SignedBatchSeen) => void): { pid: number | undefined; stop: () => void; failed: Promise<never> } {
  const child = fork(fileURLToPath(new URL('./signed-reader.ts', import.meta.url)), [topic], { execArgv: ['--import', 'tsx'] });
  let stopping = false;
  child.on('message', (seen) => onBatch(seen as SignedBatchSeen));
  const failed = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`the signed-topic reader exited (${code ?? signal}) before the bench was done`));
    }),
  );
  failed.catch(() => undefined);
  return {
    pid: child.pid,
    stop: () => {
      stopping = true;
      child.kill();
    },
    failed,
  };
}
