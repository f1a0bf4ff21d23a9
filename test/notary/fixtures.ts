import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID, createHash } from 'node:crypto';
import { expandSignedBatch, parseSignedBatch, type SignedRecordMessage } from '@probity/evidence';
import { FileEvidenceStore, type EvidenceStore } from '@probity/evidence-store';
import { createKafka, ensureTopics, evidenceTopics, type EvidenceTopics, type Kafka, type KafkaMessage } from '@probity/kafka';
import { NotaryKeyStore } from '@probity/keystore';
import { createLogger } from '@probity/logger';
import { defaultRegistry, frameSingleObject } from '@probity/schema';
import { loadCommonConfig } from '@probity/config';
import { Notary, TenantPolicies } from '@probity/notary';
import { schemaDecoder } from '../../services/notary/src/schema-decoder.js';
import { repoRoot, uniqueName, waitFor } from '../helpers/index.js';

const trainingExample = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/examples/EvidenceManifest.training.json'), 'utf8')) as Record<string, unknown>;

/** A valid training manifest for `tenant`, unique per `n`. */
export function manifestJson(tenant: string, n: number): Record<string, unknown> {
  return { ...trainingExample, tenant, manifest_id: randomUUID(), run_id: `run-${n}`, occurred_at: new Date(Date.UTC(2026, 6, 1) + n * 1000).toISOString() };
}

export function encodeManifest(json: Record<string, unknown>): { bytes: Buffer; contentHash: string } {
  const registry = defaultRegistry();
  const parsed = registry.fromJson('EvidenceManifest', json);
  if (!parsed.ok) throw new Error(`fixture manifest invalid: ${JSON.stringify(parsed.issues)}`);
  const bytes = registry.encode('EvidenceManifest', parsed.value);
  return { bytes, contentHash: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Bytes that are valid Avro for the schema but break the notary's semantic
 * rules: `mutate` changes the already-validated value before it is written
 * with the schema alone, bypassing the SDK's checks (as a foreign emitter could).
 */
export function encodeSchemaValidOnly(json: Record<string, unknown>, mutate: (value: Record<string, unknown>) => void): Buffer {
  const registry = defaultRegistry();
  const parsed = registry.fromJson<Record<string, unknown>>('EvidenceManifest', json);
  if (!parsed.ok) throw new Error(`fixture manifest invalid: ${JSON.stringify(parsed.issues)}`);
  mutate(parsed.value);
  const writer = registry.current('EvidenceManifest');
  return frameSingleObject(writer.fingerprint, writer.type.toBuffer(parsed.value));
}

export interface NotaryHarness {
  kafka: Kafka;
  topics: EvidenceTopics;
  groupId: string;
  keysDir: string;
  startNotary(dataDir?: string, overrides?: Partial<ConstructorParameters<typeof Notary>[0]>): Promise<Notary>;
  produceRaw(messages: { key?: string; value: Buffer; headers?: Record<string, string>; partition?: number }[]): Promise<void>;
  readAll(topic: string, expected: number, timeoutMs?: number): Promise<KafkaMessage[]>;
  /** The signed topic's batches, expanded (and root-checked) into records, until `expected` records are there. */
  readSigned(expected: number, timeoutMs?: number): Promise<{ records: SignedRecordMessage[]; messages: KafkaMessage[] }>;
  cleanup(): Promise<void>;
}

/** Unique topics, group and data dirs for one test file, against the real broker. */
export async function notaryHarness(partitions = 3): Promise<NotaryHarness> {
  const kafka = createKafka({ brokers: loadCommonConfig().KAFKA_BROKERS, clientId: uniqueName('notary-test') });
  const topics = evidenceTopics(uniqueName('nt'));
  await ensureTopics(kafka, partitions, topics);
  const groupId = uniqueName('notary-group');
  // Laid out like a data dir (<dir>/keys/notary) so `probity keys` can act on it with PROBITY_DATA_DIR=<dir>.
  const keysDir = path.join(mkdtempSync(path.join(tmpdir(), 'notary-keys-')), 'keys', 'notary');
  const keys = new NotaryKeyStore(keysDir).openOrCreate();
  const notaries: Notary[] = [];
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const logger = createLogger('notary-test', process.env.TEST_LOG_LEVEL ?? 'silent');

  return {
    kafka,
    topics,
    groupId,
    keysDir,
    async startNotary(dataDir = mkdtempSync(path.join(tmpdir(), 'notary-data-')), overrides = {}) {
      const notary = new Notary({
        kafka,
        topics,
        groupId,
        dataDir,
        origin: 'probity.test/evidence',
        store: new FileEvidenceStore(path.join(dataDir, 'evidence-store')),
        keys,
        decoder: schemaDecoder(defaultRegistry()),
        policies: new TenantPolicies(path.join(dataDir, 'tenants.json')),
        maxMessageBytes: 64 * 1024,
        maxTransactionMessages: 500,
        signRecords: false,
        signedCompression: 'gzip',
        concurrency: partitions,
        logger,
        ...overrides,
      });
      notaries.push(notary);
      await notary.start();
      return notary;
    },
    async produceRaw(messages) {
      // Right after a broker restart, partitions load for a moment ("does not host this topic-partition"):
      // retry what Kafka calls retriable, as an emitter would.
      await waitFor(
        async () => {
          // A resend after an ambiguous failure may duplicate raw messages; the notary deduplicates them.
          await producer.send({ topic: topics.raw, acks: -1, messages });
          return true;
        },
        { timeoutMs: 60_000, intervalMs: 500, message: `producing ${messages.length} raw messages` },
      );
    },
    async readAll(topic, expected, timeoutMs = 60_000) {
      const seen: KafkaMessage[] = [];
      const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
      try {
        await waitFor(() => seen.length >= expected, { timeoutMs, message: `${expected} messages on ${topic} (saw ${seen.length})` });
        // Anything beyond the expected count would be a duplicate: give it a moment to show up.
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        await consumer.disconnect();
      }
      return seen;
    },
    async readSigned(expected, timeoutMs = 60_000) {
      const records: SignedRecordMessage[] = [];
      const messages: KafkaMessage[] = [];
      const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: topics.signed, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          records.push(...expandSignedBatch(parseSignedBatch(message.value)));
        },
      });
      try {
        await waitFor(() => records.length >= expected, { timeoutMs, message: `${expected} signed records on ${topics.signed} (saw ${records.length})` });
        // Anything beyond the expected count would be a duplicate: give it a moment to show up.
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        await consumer.disconnect();
      }
      return { records, messages };
    },
    async cleanup() {
      for (const notary of notaries) await notary.stop().catch(() => undefined);
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topics.raw, topics.signed, topics.dlq] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** A real file store whose pack syncs for `shard` do not finish until `release` is called. */
export function storeHoldingShard(dir: string, shard: number) {
  const store = new FileEvidenceStore(dir);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  const holding: EvidenceStore = Object.assign(Object.create(store) as EvidenceStore, {
    writePack: (packName: string, objects: Parameters<EvidenceStore['writePack']>[1]) => {
      const written = store.writePack(packName, objects);
      if (!packName.startsWith(`shard-${shard}-`)) return written;
      held += 1;
      return { locations: written.locations, durable: Promise.all([written.durable, released]).then(() => undefined) };
    },
  });
  return {
    store: holding,
    release,
    /** Resolves once a pack of the held shard is waiting: its transaction is open and cannot commit. */
    untilHeld: () => waitFor(() => held > 0, { message: `a pack of shard ${shard} to be held` }),
  };
}
