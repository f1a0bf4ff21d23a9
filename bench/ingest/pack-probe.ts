/**
 * What packing saves in kafkajs (`npx tsx bench/ingest/pack-probe.ts [count] [packSize]`):
 * the same random 751-byte values produced and consumed in one process, once
 * one Kafka message per value and once packed `packSize` values to a message
 * (plain concatenation; what a raw pack adds is measured by bench/ingest/run.ts).
 * Prints values/s and CPU per value of this process and of the broker.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataDirLayout, loadCommonConfig } from '@probity/config';
import { createKafka } from '@probity/kafka';

const count = Number(process.argv[2] ?? 40_000);
const packSize = Number(process.argv[3] ?? 128);
const config = loadCommonConfig();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'bench-pack-probe' });
const pidFile = path.join(dataDirLayout(config.PROBITY_DATA_DIR).runDir, 'kafka.pid');
const brokerPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const values = Array.from({ length: count }, () => randomBytes(751));

async function run(pack: number): Promise<void> {
  const topic = `bench-pack-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) seen += Number(message.headers?.n?.toString() ?? 1);
      if (seen >= count) done();
    },
  });
  const cpu0 = process.cpuUsage();
  const broker0 = brokerPid ? cpuSeconds(brokerPid) : 0;
  const start = performance.now();
  for (let i = 0; i < count; i += 1000) {
    const slice = values.slice(i, i + 1000);
    const messages = [];
    if (pack === 1) for (const value of slice) messages.push({ key: createHash('sha256').update(value).digest('hex'), value });
    else for (let j = 0; j < slice.length; j += pack) messages.push({ key: null, value: Buffer.concat(slice.slice(j, j + pack)), headers: { n: String(Math.min(pack, slice.length - j)) } });
    await producer.send({ topic, acks: -1, messages });
  }
  await finished;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const broker = brokerPid ? `${(((cpuSeconds(brokerPid) - broker0) / count) * 1e6).toFixed(1)} µs` : 'n/a';
  console.log(`${pack === 1 ? 'one message per value' : `${pack} values per message`}: ${(count / seconds).toFixed(0)} values/s; this process ${((cpu.user + cpu.system) / count).toFixed(1)} µs/value, broker ${broker}/value`);
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

for (const pack of [1, packSize, 1, packSize]) await run(pack);
process.exit(0);
