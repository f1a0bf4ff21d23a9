import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignedBatch } from '@probity/evidence';
import { openConfiguredWarehouse } from '@probity/warehouse';
import { repoRoot, waitFor } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, type NotaryHarness } from '../notary/fixtures.js';

let harness: NotaryHarness;
const dataDir = mkdtempSync(path.join(tmpdir(), 'sink-faults-'));
const database = `sinkfault_${Date.now()}`;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  harness = await notaryHarness(3);
  await harness.startNotary();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await harness.cleanup();
});

/** The sink as its own process (services/sink/src/main.ts) on the test's topics and chDB directory. */
function startSink(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'services/sink/src/main.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PROBITY_DATA_DIR: dataDir,
      CLICKHOUSE_DATABASE: database,
      PROBITY_TOPIC_NAMESPACE: harness.topics.raw.replace('.probity.evidence.raw', ''),
      SINK_GROUP_ID: `${harness.groupId}-sink`,
      SINK_BATCH_MIN_BYTES: '1',
      SINK_BATCH_MAX_WAIT_MS: '50',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stderr!.resume();
  return child;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

describe('sink under faults', () => {
  it('kill -9 mid-batch, repeatedly, then restart: every signed record is in the warehouse exactly once', async () => {
    const manifests = Array.from({ length: 3000 }, (_, n) => encodeManifest(manifestJson(['acme', 'globex'][n % 2]!, 50_000 + n)));
    await harness.produceRaw(manifests.map((m) => ({ key: m.contentHash, value: m.bytes })));
    const { records, messages: signed } = await harness.readSigned(manifests.length, 120_000);
    expect(records).toHaveLength(manifests.length);

    for (const delay of [1500, 900, 1200]) {
      const sink = startSink();
      await new Promise((resolve) => setTimeout(resolve, delay));
      await stop(sink, 'SIGKILL');
    }

    // Caught up = the sink group's committed offsets are past the last signed record of every partition.
    const lastOffsets = new Map<number, bigint>();
    for (const message of signed) {
      const body = parseSignedBatch(message.value);
      const offset = BigInt(message.offset);
      if ((lastOffsets.get(body.shard) ?? -1n) < offset) lastOffsets.set(body.shard, offset);
    }
    const sink = startSink();
    const admin = harness.kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId: `${harness.groupId}-sink`, topics: [harness.topics.signed] });
          return [...lastOffsets].every(([partition, last]) => BigInt(committed!.partitions.find((p) => p.partition === partition)?.offset ?? '-1') > last);
        },
        { timeoutMs: 120_000, intervalMs: 500, message: 'the restarted sink to commit past every signed record' },
      );
    } finally {
      await admin.disconnect();
    }
    await stop(sink, 'SIGTERM');

    // The sink is gone, so this process may open its chDB directory.
    const warehouse = await openConfiguredWarehouse({ CLICKHOUSE_DATABASE: database, PROBITY_DATA_DIR: dataDir });
    try {
      const [rows] = await warehouse.query<{ n: string; distinct: string }>(`SELECT count() AS n, uniqExact(content_hash) AS distinct FROM ${database}.evidence_v1`);
      expect(rows).toEqual({ n: String(manifests.length), distinct: String(manifests.length) });
      const [leaves] = await warehouse.query<{ n: string }>(`SELECT count() AS n FROM ${database}.log_leaves_v1`);
      expect(leaves!.n).toBe(String(manifests.length));
    } finally {
      await warehouse.close();
    }
  });
});
