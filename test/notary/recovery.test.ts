import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from '@probity/kafka';
import { decodeOffsetMetadata } from '../../services/notary/src/recovery.js';
import { waitFor } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, storeHoldingShard, type NotaryHarness } from './fixtures.js';

let harness: NotaryHarness;

beforeAll(async () => {
  // One shard: every record in one log, so the indexes below are exact.
  harness = await notaryHarness(1);
});
afterAll(async () => {
  await harness.cleanup();
});

/** The group's committed offset of shard 0 and what its metadata says, and the ends of the raw and signed partitions. */
async function committedAndEnds() {
  const admin = harness.kafka.admin();
  await admin.connect();
  try {
    const [[committed], raw, signed] = await Promise.all([
      admin.fetchOffsets({ groupId: harness.groupId, topics: [harness.topics.raw] }),
      admin.fetchTopicOffsets(harness.topics.raw),
      admin.fetchTopicOffsets(harness.topics.signed),
    ]);
    const partition = committed!.partitions[0]!;
    return { offset: partition.offset, metadata: decodeOffsetMetadata(partition.metadata), rawEnd: raw[0]!.high, signedEnd: BigInt(signed[0]!.high) };
  } finally {
    await admin.disconnect();
  }
}

describe('notary recovery', () => {
  it("continues from the signed topic's last batch when the group's offset did not follow it: no duplicate leaves or DLQ messages", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'notary-recovery-'));
    const first = Array.from({ length: 120 }, (_, n) => encodeManifest(manifestJson('acme', 70_000 + n)));
    let notary = await harness.startNotary(dataDir);
    // A transaction with only a DLQ message commits its state in the group's offset...
    await harness.produceRaw([{ key: 'garbage', value: Buffer.from('not a manifest') }]);
    await harness.readAll(harness.topics.dlq, 1);
    // ...the ones with signed batches commit it in their last batch, and the group's offset follows outside them.
    await harness.produceRaw(first.map((m) => ({ key: m.contentHash, value: m.bytes })));
    await harness.readSigned(first.length);
    await notary.stop();

    const followed = await committedAndEnds();
    expect(followed.offset).toBe(followed.rawEnd);
    expect(followed.metadata).toMatchObject({ size: first.length, signedEnd: followed.signedEnd });

    // As if the notary had died between a transaction's commit and the group's offset following it, every time:
    // the offset goes back to just after the DLQ-only transaction, without its metadata.
    const admin = harness.kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: harness.groupId, topic: harness.topics.raw, partitions: [{ partition: 0, offset: '1' }] });
    await admin.disconnect();

    const more = Array.from({ length: 30 }, (_, n) => encodeManifest(manifestJson('globex', 80_000 + n)));
    notary = await harness.startNotary(dataDir);
    await harness.produceRaw(more.map((m) => ({ key: m.contentHash, value: m.bytes })));
    const { records } = await harness.readSigned(first.length + more.length);
    expect(records.map((r) => r.content_hash)).toEqual([...first, ...more].map((m) => m.contentHash));
    expect(records.map((r) => r.leaf_index)).toEqual(Array.from({ length: first.length + more.length }, (_, i) => i));
    expect(await harness.readAll(harness.topics.dlq, 1)).toHaveLength(1);
    await notary.stop();

    const after = await committedAndEnds();
    expect(after.offset).toBe(after.rawEnd);
    expect(after.metadata).toMatchObject({ size: first.length + more.length, signedEnd: after.signedEnd });
  });
});

/**
 * `kafka` as the notary sees it, with the first commit of the group's offset that follows a transaction "timed out":
 * its caller gets an error at once, while the commit itself is held, as if still on its way to the coordinator. A
 * later commit on that connection goes out only after it (the broker answers a connection's requests in order);
 * `releaseHeld` lets it arrive late on its own.
 */
function followCommitTimingOut(kafka: Kafka) {
  let held: (() => Promise<void>) | null = null;
  let timedOut = false;
  const sendHeld = async () => {
    const send = held;
    held = null;
    await send?.();
  };
  const observed = Object.create(kafka) as Kafka;
  observed.consumer = (...args) => {
    const consumer = kafka.consumer(...args);
    const run = consumer.run.bind(consumer);
    consumer.run = (config) =>
      run({
        ...config,
        eachBatch: async (payload) => {
          const commit = payload.commitOffsetsIfNecessary;
          const commitOffsetsIfNecessary: typeof commit = async (offsets) => {
            if (!offsets) return commit();
            if (!timedOut) {
              timedOut = true;
              held = () => commit(offsets);
              throw new Error('Request OffsetCommit timed out (test)');
            }
            await sendHeld();
            return commit(offsets);
          };
          await config!.eachBatch!({ ...payload, commitOffsetsIfNecessary });
        },
      });
    return consumer;
  };
  return { kafka: observed, releaseHeld: sendHeld, timedOut: () => timedOut };
}

describe("the group's offset following a transaction", () => {
  it('is not taken back by a commit that timed out on the client and reaches the coordinator after a later DLQ-only transaction', async () => {
    const own = await notaryHarness(1);
    const lagging = followCommitTimingOut(own.kafka);
    try {
      const notary = await own.startNotary(undefined, { kafka: lagging.kafka, concurrency: 1 });
      const valid = encodeManifest(manifestJson('acme', 95_000));
      // A signed transaction (raw offset 0); the group's offset following it (to 1) "times out".
      await own.produceRaw([{ key: valid.contentHash, value: valid.bytes, partition: 0 }]);
      await own.readSigned(1, 30_000);
      await waitFor(() => lagging.timedOut(), { timeoutMs: 30_000, message: "the group's offset to follow the signed transaction" });
      // A DLQ-only transaction (raw offset 1) commits its state, the offset 2, in the group's offset.
      await own.produceRaw([{ key: 'garbage', value: Buffer.from('not a manifest'), partition: 0 }]);
      await own.readAll(own.topics.dlq, 1, 30_000);
      // Whatever is still held arrives now, late; the notary must have settled it before its sendOffsets.
      await lagging.releaseHeld();
      await notary.stop();
      const admin = own.kafka.admin();
      await admin.connect();
      const [committed] = await admin.fetchOffsets({ groupId: own.groupId, topics: [own.topics.raw] });
      await admin.disconnect();
      expect(committed!.partitions[0]!.offset).toBe('2');
    } finally {
      await own.cleanup();
    }
  });
});

/**
 * `kafka` as the notary sees it, observed: every transaction commit's outcome, and (with `gated`) a gate that
 * holds the first transaction begun after the notary read a consumer group's committed offsets.
 */
function observedKafka(kafka: Kafka, { gated: gateFirstAfterRead }: { gated: boolean }) {
  const commits: boolean[] = [];
  let stateRead = false;
  let gated = !gateFirstAfterRead;
  let waiting = false;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const observed = Object.create(kafka) as Kafka;
  observed.admin = (...args) => {
    const admin = kafka.admin(...args);
    const fetchOffsets = admin.fetchOffsets.bind(admin);
    admin.fetchOffsets = (async (options: Parameters<typeof fetchOffsets>[0]) => {
      const offsets = await fetchOffsets(options);
      stateRead = true;
      return offsets;
    }) as typeof admin.fetchOffsets;
    return admin;
  };
  observed.producer = (...args) => {
    const producer = kafka.producer(...args);
    const transaction = producer.transaction.bind(producer);
    producer.transaction = async () => {
      if (stateRead && !gated) {
        gated = true;
        waiting = true;
        await gate;
      }
      const opened = await transaction();
      const commit = opened.commit.bind(opened);
      opened.commit = async () => {
        try {
          await commit();
          commits.push(true);
        } catch (err) {
          commits.push(false);
          throw err;
        }
      };
      return opened;
    };
    return producer;
  };
  return { kafka: observed, commits, open, untilWaiting: () => waitFor(() => waiting, { timeoutMs: 60_000, message: 'the new owner to read the state and begin its first transaction' }) };
}

describe('a shard moved to another instance while its owner is stuck in a transaction', () => {
  it("is not notarized twice when the stuck owner tries to commit after the new owner read the shard's state", async () => {
    const own = await notaryHarness(1);
    const holding = storeHoldingShard(path.join(mkdtempSync(path.join(tmpdir(), 'notary-store-')), 'evidence-store'), 0);
    const stuck = observedKafka(own.kafka, { gated: false });
    const successor = observedKafka(own.kafka, { gated: true });
    try {
      // The broker's smallest session timeout (group.min.session.timeout.ms) is 6 s.
      await own.startNotary(undefined, { kafka: stuck.kafka, store: holding.store, concurrency: 1, sessionTimeoutMs: 6000 });
      const valid = encodeManifest(manifestJson('acme', 90_000));
      await own.produceRaw([
        { key: 'garbage', value: Buffer.from('not a manifest'), partition: 0 },
        { key: valid.contentHash, value: valid.bytes, partition: 0 },
      ]);
      await holding.untilHeld();
      // A second instance joins; past the first one's session it owns the shard, reads its state (nothing
      // committed) and is held just before its first transaction. Only then may the first one try to commit.
      await own.startNotary(undefined, { kafka: successor.kafka, concurrency: 1 });
      await successor.untilWaiting();
      holding.release();
      await waitFor(() => stuck.commits.length > 0, { timeoutMs: 30_000, message: "the stuck owner's commit attempt" });
      // The new owner fenced it before reading the state: its commit must fail.
      expect(stuck.commits).toEqual([false]);
      successor.open();
      const dlq = await own.readAll(own.topics.dlq, 1, 30_000);
      expect(dlq.map((m) => m.key?.toString())).toEqual(['garbage']);
      const { records } = await own.readSigned(1, 30_000);
      expect(records.map((r) => r.content_hash)).toEqual([valid.contentHash]);
      expect(successor.commits).toContain(true);
    } finally {
      holding.release();
      successor.open();
      await own.cleanup();
    }
  });
});
