/**
 * What packing saves in kafkajs (`npx tsx bench/ingest/pack-probe.ts [count] [packSize]`):
 * the same random 751-byte values produced and consumed in one process, once
 * one Kafka message per value and once packed `packSize` values to a message
 * (plain concatenation; what a raw pack adds is measured by bench/ingest/run.ts).
 * Prints values/s and CPU per value of this process and of the broker.
 */
import { createHash, randomBytes } from 'node:crypto';
import { loadCommonConfig } from '@probity/config';
import { createKafka, HEADER } from '@probity/kafka';
import { brokerPid, countRecords, createTopic, dropTopics, processCpuSeconds } from './measure.js';

const count = Number(process.argv[2] ?? 40_000);
const packSize = Number(process.argv[3] ?? 128);
const kafka = createKafka({ brokers: loadCommonConfig().KAFKA_BROKERS, clientId: 'bench-pack-probe' });
const broker = brokerPid();
const values = Array.from({ length: count }, () => randomBytes(751));

async function run(pack: number): Promise<void> {
  const topic = await createTopic(kafka, 'bench-pack');
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const cpu0 = process.cpuUsage();
  const broker0 = broker ? processCpuSeconds(broker) : 0;
  const start = performance.now();
  const consumed = countRecords(kafka, topic, count);
  for (let i = 0; i < count; i += 1000) {
    const slice = values.slice(i, i + 1000);
    const messages = [];
    if (pack === 1) for (const value of slice) messages.push({ key: createHash('sha256').update(value).digest('hex'), value });
    else for (let j = 0; j < slice.length; j += pack) messages.push({ key: null, value: Buffer.concat(slice.slice(j, j + pack)), headers: { [HEADER.recordCount]: String(Math.min(pack, slice.length - j)) } });
    await producer.send({ topic, acks: -1, messages });
  }
  const seconds = ((await consumed) - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const brokerLine = broker ? `${(((processCpuSeconds(broker) - broker0) / count) * 1e6).toFixed(1)} µs` : 'n/a';
  console.log(`${pack === 1 ? 'one message per value' : `${pack} values per message`}: ${(count / seconds).toFixed(0)} values/s; this process ${((cpu.user + cpu.system) / count).toFixed(1)} µs/value, broker ${brokerLine}/value`);
  await producer.disconnect();
  await dropTopics(kafka, [topic]);
}

for (const pack of [1, packSize, 1, packSize]) await run(pack);
process.exit(0);
