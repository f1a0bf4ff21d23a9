/**
 * What one notary-shaped Kafka transaction costs (`npx tsx bench/ingest/txn-probe.ts [transactions] [gapMs] [offsets|none]`):
 * three transactional producers (one per partition, as the notary's shards) each run back-to-back
 * transactions of one produce, one sendOffsets and a commit; with `none`, without the sendOffsets (as the
 * notary's transactions that carry the shard's state in their last signed batch). Prints the transaction time, the broker's
 * time per request type (kafkajs instrumentation; FindCoordinator once per producer, since
 * patches/kafkajs+2.2.4.patch: unpatched kafkajs repeated it
 * in every transaction) and how long after each commit a read_committed consumer in another process
 * sees the record.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadCommonConfig } from '@probity/config';
import { createKafka, transactionalRetry } from '@probity/kafka';
import { createTopic, dropTopics } from './measure.js';

const kafka = createKafka({ brokers: loadCommonConfig().KAFKA_BROKERS, clientId: 'bench-txn-probe' });
const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.floor(p * (values.length - 1))] ?? NaN;
const line = (label: string, values: number[]) =>
  `${label.padEnd(22)} n=${String(values.length).padEnd(5)} p50 ${pct(values, 0.5).toFixed(1)} p90 ${pct(values, 0.9).toFixed(1)} p99 ${pct(values, 0.99).toFixed(1)} ms`;

if (process.argv[2] === '--reader') {
  // The reader: reports when it sees each record, from its own process (as an auditor's sink would).
  const consumer = kafka.consumer({ groupId: `bench-txn-reader-${randomUUID()}`, maxWaitTimeInMs: 50, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: process.argv[3]!, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const seenAt = Date.now();
      for (const message of batch.messages) process.send!({ key: message.value!.toString(), seenAt });
    },
  });
  process.send!({ ready: true });
} else {
  const transactions = Number(process.argv[2] ?? 150);
  const gapMs = Number(process.argv[3] ?? 0);
  const withOffsets = process.argv[4] !== 'none';
  const topic = await createTopic(kafka, 'bench-txn');
  const reader = fork(fileURLToPath(import.meta.url), ['--reader', topic], { execArgv: ['--import', 'tsx'] });
  const seenAt = new Map<string, number>();
  const readerReady = new Promise<void>((resolve) =>
    reader.on('message', (m: { key?: string; seenAt?: number; ready?: boolean }) => (m.ready ? resolve() : seenAt.set(m.key!, m.seenAt!))),
  );
  await readerReady;
  const committedAt = new Map<string, number>();
  const totals: number[] = [];
  const requests: Record<string, number[]> = {};
  await Promise.all(
    [0, 1, 2].map(async (partition) => {
      const producer = kafka.producer({ transactionalId: `bench-txn-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1, retry: transactionalRetry });
      producer.on(producer.events.REQUEST, ({ payload }) => (requests[payload.apiName] ??= []).push(payload.duration));
      await producer.connect();
      for (let i = 0; i < transactions; i++) {
        const key = `${partition}-${i}`;
        const started = performance.now();
        const transaction = await producer.transaction();
        await transaction.send({ topic, messages: [{ value: Buffer.from(key), partition }] });
        if (withOffsets) await transaction.sendOffsets({ consumerGroupId: 'bench-txn-group', topics: [{ topic, partitions: [{ partition, offset: String(i + 1) }] }] });
        await transaction.commit();
        committedAt.set(key, Date.now());
        totals.push(performance.now() - started);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      await producer.disconnect();
    }),
  );
  const deadline = Date.now() + 10_000;
  while (seenAt.size < committedAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  reader.kill();
  console.log(`bench/ingest/txn-probe: 3 producers × ${transactions} transactions, ${gapMs} ms between them, ${withOffsets ? 'with' : 'without'} sendOffsets`);
  console.log(line('transaction', totals));
  for (const [api, durations] of Object.entries(requests)) console.log(line(`  ${api}`, durations));
  const visible = [...committedAt].filter(([key]) => seenAt.has(key)).map(([key, at]) => seenAt.get(key)! - at);
  console.log(line('commit → reader saw it', visible), `(${committedAt.size - visible.length} not seen within 10 s)`);
  await dropTopics(kafka, [topic]);
}
