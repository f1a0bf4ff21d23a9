import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBundle, verifySignedRecord, type SignedRecordMessage } from '@probity/evidence';
import { FileEvidenceStore } from '@probity/evidence-store';
import { parsePublicKeyring, publicKeyringPath, toTrustedKeys } from '@probity/keystore';
import { infraScript, repoRoot, uniqueName, waitFor } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, type NotaryHarness } from './fixtures.js';

let harness: NotaryHarness;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  harness = await notaryHarness(3);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await harness.cleanup();
});

/** A notary as its own OS process (services/notary/src/main.ts), so it can be killed with SIGKILL. */
function startNotaryProcess(dataDir: string, on: NotaryHarness = harness): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'services/notary/src/main.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PROBITY_DATA_DIR: dataDir,
      PROBITY_TOPIC_NAMESPACE: on.topics.raw.replace('.probity.evidence.raw', ''),
      NOTARY_GROUP_ID: on.groupId,
      NOTARY_KEYS_DIR: on.keysDir,
      NOTARY_LOG_ORIGIN: 'probity.test/evidence',
      NOTARY_MAX_TRANSACTION_MESSAGES: '100',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stderr!.on('data', (chunk: Buffer) => {
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
  });
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function assertExactlyOnce(bodies: SignedRecordMessage[], expectedHashes: Set<string>) {
  const hashes = bodies.map((b) => b.content_hash);
  expect(hashes.length).toBe(expectedHashes.size);
  expect(new Set(hashes)).toEqual(expectedHashes);
  const byShard = new Map<number, number[]>();
  for (const b of bodies) byShard.set(b.shard, [...(byShard.get(b.shard) ?? []), b.leaf_index]);
  for (const [shard, indexes] of byShard) {
    const sorted = [...indexes].sort((a, b) => a - b);
    expect({ shard, indexes: sorted }).toEqual({ shard, indexes: sorted.map((_, i) => i) });
  }
  return bodies;
}

/**
 * A restarted broker answers before its group coordinator and partitions have
 * all loaded; wait until a fresh consumer group can join and read `topic`, as clients do.
 */
async function waitForGroupCoordination(kafka: NotaryHarness['kafka'], topic: string): Promise<void> {
  await waitFor(
    async () => {
      const consumer = kafka.consumer({ groupId: uniqueName('probe'), maxWaitTimeInMs: 100 });
      let seen = false;
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async () => void (seen = true) });
        await waitFor(() => seen, { timeoutMs: 20_000, message: 'a probe read' });
        return true;
      } finally {
        await consumer.disconnect();
      }
    },
    { timeoutMs: 120_000, intervalMs: 1000, message: 'a consumer group to read from the restarted broker' },
  );
}

describe('notary under faults', () => {
  it('kill -9 mid-batch, repeatedly, then a partition move to a fresh instance: no loss, no duplicate leaves, no gaps, no forks', async () => {
    const total = 3000;
    const manifests = Array.from({ length: total }, (_, n) => encodeManifest(manifestJson(n % 3 === 0 ? 'acme' : 'globex', n)));
    await harness.produceRaw(manifests.map((m) => ({ key: m.contentHash, value: m.bytes })));

    const dataDir = mkdtempSync(path.join(tmpdir(), 'notary-fault-'));
    const kills = [700, 1100, 900, 1500];
    for (const delay of kills) {
      const child = startNotaryProcess(dataDir);
      await new Promise((resolve) => setTimeout(resolve, delay));
      await killHard(child);
    }

    // A second instance with an empty disk takes over: it must rebuild the logs from the committed signed records.
    const freshDir = mkdtempSync(path.join(tmpdir(), 'notary-moved-'));
    const moved = startNotaryProcess(freshDir);
    const more = Array.from({ length: 300 }, (_, n) => encodeManifest(manifestJson('initech', total + n)));
    await harness.produceRaw(more.map((m) => ({ key: m.contentHash, value: m.bytes })));
    // Redelivery of already-notarized records from a restarted emitter: deduplicated against the rebuilt log.
    await harness.produceRaw(manifests.slice(0, 50).map((m) => ({ key: m.contentHash, value: m.bytes })));

    const expected = new Set([...manifests, ...more].map((m) => m.contentHash));
    const { records } = await harness.readSigned(expected.size, 120_000);
    const bodies = assertExactlyOnce(records, expected);

    const keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(harness.keysDir), 'utf8')), 'keyring');
    const keys = toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
    for (const body of bodies.filter((_, i) => i % 25 === 0)) expect(verifySignedRecord(toBundle(body), { notaryKeys: keys }).valid).toBe(true);

    // The evidence store held every published record before its offsets were committed, despite the kills:
    // each location reads back, verified against the content hash, from the instance that notarized it.
    const stores = [dataDir, freshDir].map((dir) => new FileEvidenceStore(path.join(dir, 'evidence-store')));
    for (const body of bodies) {
      const attempts = await Promise.allSettled(stores.map((store) => store.get(body.store, body.content_hash)));
      const found = attempts.find((attempt) => attempt.status === 'fulfilled');
      expect(found, `record ${body.content_hash} in the evidence store at ${JSON.stringify(body.store)}`).toBeDefined();
      expect(Buffer.from((found as PromiseFulfilledResult<Uint8Array>).value).equals(Buffer.from(body.record, 'base64'))).toBe(true);
    }
    await killHard(moved);
  });

  it('rides out a broker restart while notarizing', async () => {
    // Its own topics and group: independent of the test above.
    const own = await notaryHarness(3);
    try {
      const child = startNotaryProcess(mkdtempSync(path.join(tmpdir(), 'notary-broker-')), own);
      const batch = Array.from({ length: 600 }, (_, n) => encodeManifest(manifestJson('acme', 10_000 + n)));
      await own.produceRaw(batch.slice(0, 300).map((m) => ({ key: m.contentHash, value: m.bytes })));
      const restarted = await infraScript('kafka.sh', ['restart']);
      expect(restarted.code, restarted.stderr).toBe(0);
      await waitForGroupCoordination(own.kafka, own.topics.raw);
      await own.produceRaw(batch.slice(300).map((m) => ({ key: m.contentHash, value: m.bytes })));
      const { records: after } = await own.readSigned(batch.length, 180_000);
      assertExactlyOnce(after, new Set(batch.map((m) => m.contentHash)));
      await waitFor(() => child.exitCode === null, { message: 'notary still running after the broker restart' });
      await killHard(child);
    } finally {
      await own.cleanup();
    }
  });
});
