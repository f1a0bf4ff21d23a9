import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyHashPartitioner, murmur2, partitionForKey } from './partitioner.js';

// kafkajs' own murmur2 (Long arithmetic, ported from the Java client) is the reference.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer | string) => number;

const metadata = (partitions: number): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0], offlineReplicas: [] }));

describe('murmur2 and the key partitioner', () => {
  it('agrees with kafkajs (the Java client port) on keys of every length and content', () => {
    const keys: (Buffer | string)[] = [Buffer.alloc(0), '', 'a', 'ab', 'abc', 'abcd', 'ümlaut-ключ-🔑'];
    for (let i = 0; i < 2000; i++) keys.push(randomBytes(i % 70));
    for (let i = 0; i < 500; i++) keys.push(randomBytes(32).toString('hex'), randomUUID());
    for (const key of keys) expect(murmur2(key)).toBe(kafkajsMurmur2(key));
  });

  it('chooses the partition kafkajs default partitioner chooses, for any partition count', () => {
    const ours = keyHashPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 2, 3, 7, 12, 100]) {
      for (let i = 0; i < 300; i++) {
        const args = { topic: 't', partitionMetadata: metadata(partitions), message: { key: randomBytes(32).toString('hex'), value: null } };
        expect(ours(args)).toBe(theirs(args));
        expect(partitionForKey(args.message.key, partitions)).toBe(theirs(args));
      }
    }
  });

  it('honours an explicit partition and spreads keyless messages over partitions with a leader', () => {
    const ours = keyHashPartitioner();
    expect(ours({ topic: 't', partitionMetadata: metadata(3), message: { key: 'k', value: null, partition: 2 } })).toBe(2);
    const withoutLeader = metadata(3).map((p) => (p.partitionId === 1 ? { ...p, leader: -1 } : p));
    const chosen = new Set(Array.from({ length: 20 }, () => ours({ topic: 't', partitionMetadata: withoutLeader, message: { value: null } })));
    expect(chosen).toEqual(new Set([0, 2]));
  });
});
