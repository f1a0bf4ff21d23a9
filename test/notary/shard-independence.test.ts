import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '@probity/kafka';
import { AssignerProtocol } from 'kafkajs';
import { waitFor } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, storeHoldingShard, type NotaryHarness } from './fixtures.js';

let harness: NotaryHarness;

beforeAll(async () => {
  harness = await notaryHarness(2);
});
afterAll(async () => {
  await harness.cleanup();
});

function manifestsFor(partition: number, count: number, offset: number) {
  const found: ReturnType<typeof encodeManifest>[] = [];
  for (let n = offset; found.length < count; n++) {
    const encoded = encodeManifest(manifestJson('acme', n));
    if (partitionForKey(encoded.contentHash, 2) === partition) found.push(encoded);
  }
  return found;
}

describe('notary shards', () => {
  it('a shard whose transaction is stuck does not hold up the others', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'notary-data-'));
    const holding = storeHoldingShard(path.join(dataDir, 'evidence-store'), 0);
    await harness.startNotary(dataDir, { store: holding.store, concurrency: 2 });

    try {
      await notarizeWhileShardZeroIsHeld(holding);
    } finally {
      // Also on failure: a held transaction would keep the notary from stopping.
      holding.release();
    }
  });
});

async function notarizeWhileShardZeroIsHeld(holding: ReturnType<typeof storeHoldingShard>) {
  const stuck = manifestsFor(0, 1, 0);
  await harness.produceRaw(stuck.map((m) => ({ key: m.contentHash, value: m.bytes, partition: 0 })));
  await holding.untilHeld();

  // Shard 1 keeps notarizing: each of these arrives after shard 0 got stuck, in fetches of their own.
  const flowing = manifestsFor(1, 3, 1000);
  for (const manifest of flowing) {
    await harness.produceRaw([{ key: manifest.contentHash, value: manifest.bytes, partition: 1 }]);
    await new Promise((r) => setTimeout(r, 200));
  }
  const { records: beforeRelease } = await harness.readSigned(flowing.length, 20_000);
  expect(beforeRelease.map((r) => r.content_hash).sort()).toEqual(flowing.map((m) => m.contentHash).sort());

  // Once its store catches up, shard 0 commits too; nothing was lost or doubled meanwhile.
  holding.release();
  const { records } = await harness.readSigned(flowing.length + stuck.length);
  expect(records.map((r) => r.content_hash).sort()).toEqual([...flowing, ...stuck].map((m) => m.contentHash).sort());
}

describe('a shard handed to another member of the same instance', () => {
  it('is not notarized twice when its first member, evicted mid-transaction, still commits', async () => {
    const own = await notaryHarness(2);
    const holding = storeHoldingShard(path.join(mkdtempSync(path.join(tmpdir(), 'notary-store-')), 'evidence-store'), 0);
    try {
      // The broker's smallest session timeout (group.min.session.timeout.ms) is 6 s.
      await own.startNotary(undefined, { store: holding.store, concurrency: 2, sessionTimeoutMs: 6000 });
      const valid = manifestsFor(0, 1, 2000)[0]!;
      await own.produceRaw([
        { key: 'garbage', value: Buffer.from('not a manifest'), partition: 0 },
        { key: valid.contentHash, value: valid.bytes, partition: 0 },
      ]);
      await holding.untilHeld();
      // Shard 0's member is stuck in its transaction: past its session the group hands both shards to the
      // other member, which fetches shard 0 again from the committed offset (0) and waits for the lock.
      await waitForMemberOwning(own, [0, 1], 30_000);
      holding.release();
      // The first member commits offsets 0–1; the second must skip them, not publish them again.
      const dlq = await own.readAll(own.topics.dlq, 1, 30_000);
      expect(dlq.map((m) => m.key?.toString())).toEqual(['garbage']);
      const { records } = await own.readSigned(1, 30_000);
      expect(records.map((r) => r.content_hash)).toEqual([valid.contentHash]);
    } finally {
      holding.release();
      await own.cleanup();
    }
  });
});

/** Waits until one member of the harness's group is assigned all of `partitions` of the raw topic. */
async function waitForMemberOwning(own: NotaryHarness, partitions: number[], timeoutMs: number): Promise<void> {
  const admin = own.kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const { groups } = await admin.describeGroups([own.groupId]);
        const owners = (groups[0]?.members ?? []).map((member) => AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[own.topics.raw] ?? []);
        return groups[0]?.state === 'Stable' && owners.some((owned) => partitions.every((p) => owned.includes(p)));
      },
      { timeoutMs, intervalMs: 250, message: `a member of ${own.groupId} owning partitions ${partitions.join(', ')}` },
    );
  } finally {
    await admin.disconnect();
  }
}
