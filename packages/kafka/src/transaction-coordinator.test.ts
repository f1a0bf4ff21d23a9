import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * patches/kafkajs+2.2.4.patch (applied by `npm install`'s postinstall): a transactional producer remembers its
 * transaction coordinator instead of a FindCoordinator request before every AddPartitionsToTxn and EndTxn.
 * Driven here through kafkajs' own transaction manager with a fake cluster that counts the lookups.
 */
const require = createRequire(import.meta.url);
const createTransactionManager = require('kafkajs/src/producer/eosManager/index.js') as (options: object) => TransactionManager;
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode: (code: number) => Error };

interface TransactionManager {
  initProducerId(): Promise<void>;
  beginTransaction(): void;
  addPartitionsToTransaction(topics: { topic: string; partitions: { partition: number }[] }[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

const NOT_COORDINATOR = 16;
const CONCURRENT_TRANSACTIONS = 51;

/** A cluster of one broker (node 1) whose pool can drop or replace its Broker object, as kafkajs' does on metadata changes. */
function fakeCluster(failures: { addPartitions?: (Error | undefined)[] } = {}) {
  const requests: string[] = [];
  const makeBroker = (generation: number) => ({
    nodeId: 1,
    initProducerId: async () => (requests.push('InitProducerId'), { producerId: 7, producerEpoch: 0 }),
    addPartitionsToTxn: async () => {
      requests.push(`AddPartitionsToTxn${generation > 0 ? `@${generation}` : ''}`);
      const failure = failures.addPartitions?.shift();
      if (failure) throw failure;
    },
    endTxn: async () => void requests.push(`EndTxn${generation > 0 ? `@${generation}` : ''}`),
  });
  const pool = new Map([[1, makeBroker(0)]]);
  const cluster = {
    retry: { retries: 0 },
    refreshMetadataIfNecessary: async () => undefined,
    findGroupCoordinator: async () => (requests.push('FindCoordinator'), pool.get(1)),
    findBroker: async ({ nodeId }: { nodeId: number }) => {
      const broker = pool.get(nodeId);
      if (!broker) throw Object.assign(new Error(`broker ${nodeId} not found`), { name: 'KafkaJSBrokerNotFound' });
      return broker;
    },
  };
  const noop = () => undefined;
  const logger = { debug: noop, info: noop, warn: noop, error: noop, namespace: () => logger };
  const manager = createTransactionManager({ logger, cluster, transactional: true, transactionalId: 'shard-0' });
  return { manager, requests, replaceBroker: (generation: number) => pool.set(1, makeBroker(generation)), dropBroker: () => pool.delete(1) };
}

async function transaction(manager: TransactionManager): Promise<void> {
  manager.beginTransaction();
  await manager.addPartitionsToTransaction([{ topic: 'signed', partitions: [{ partition: 0 }] }]);
  await manager.commit();
}

describe('kafkajs transactions (patched): the transaction coordinator is looked up once, not per request', () => {
  it('sends one FindCoordinator for the InitProducerId and none for the transactions after it', async () => {
    const { manager, requests } = fakeCluster();
    await manager.initProducerId();
    for (let i = 0; i < 3; i++) await transaction(manager);
    // Unpatched kafkajs: FindCoordinator before each of the 6 AddPartitionsToTxn and EndTxn as well.
    expect(requests.filter((r) => r === 'FindCoordinator')).toHaveLength(1);
    expect(requests.filter((r) => r === 'EndTxn')).toHaveLength(3);
  });

  it('looks the coordinator up again after a "not the coordinator" error or a connection error', async () => {
    const connectionLost = Object.assign(new Error('Connection closed'), { name: 'KafkaJSConnectionClosedError' });
    const { manager, requests } = fakeCluster({ addPartitions: [createErrorFromCode(NOT_COORDINATOR), connectionLost] });
    await manager.initProducerId();
    manager.beginTransaction();
    const add = () => manager.addPartitionsToTransaction([{ topic: 'signed', partitions: [{ partition: 0 }] }]);
    await expect(add()).rejects.toThrow(/not the correct coordinator|coordinator/i);
    await expect(add()).rejects.toThrow('Connection closed');
    await add();
    await manager.commit();
    expect(requests).toEqual(['FindCoordinator', 'InitProducerId', 'AddPartitionsToTxn', 'FindCoordinator', 'AddPartitionsToTxn', 'FindCoordinator', 'AddPartitionsToTxn', 'EndTxn']);
  });

  it('keeps the coordinator through CONCURRENT_TRANSACTIONS, which the same coordinator answers again', async () => {
    const { manager, requests } = fakeCluster({ addPartitions: [createErrorFromCode(CONCURRENT_TRANSACTIONS)] });
    await manager.initProducerId();
    manager.beginTransaction();
    const add = () => manager.addPartitionsToTransaction([{ topic: 'signed', partitions: [{ partition: 0 }] }]);
    await expect(add()).rejects.toThrow(/concurrent operation/);
    await add();
    expect(requests).toEqual(['FindCoordinator', 'InitProducerId', 'AddPartitionsToTxn', 'AddPartitionsToTxn']);
  });

  it("uses the pool's current Broker object for the coordinator, and looks it up again once the pool has none", async () => {
    const { manager, requests, replaceBroker, dropBroker } = fakeCluster();
    await manager.initProducerId();
    replaceBroker(1);
    await transaction(manager);
    dropBroker();
    manager.beginTransaction();
    const add = () => manager.addPartitionsToTransaction([{ topic: 'signed', partitions: [{ partition: 0 }] }]);
    await expect(add()).rejects.toThrow();
    replaceBroker(2);
    await add();
    await manager.commit();
    expect(requests).toEqual(['FindCoordinator', 'InitProducerId', 'AddPartitionsToTxn@1', 'EndTxn@1', 'FindCoordinator', 'FindCoordinator', 'AddPartitionsToTxn@2', 'EndTxn@2']);
  });

  it('looks it up again at the transactional InitProducerId (a producer\'s first transaction)', async () => {
    const { manager, requests } = fakeCluster();
    await manager.initProducerId();
    await transaction(manager);
    await manager.initProducerId();
    await transaction(manager);
    expect(requests.filter((r) => r === 'FindCoordinator')).toHaveLength(2);
  });
});
