import { z } from 'zod';
import { commonEnvShape, dataDirLayout, envBoolean, envInt, parseEnv } from '@probity/config';

export const notaryEnvShape = {
  PROBITY_DATA_DIR: commonEnvShape.PROBITY_DATA_DIR,
  KAFKA_BROKERS: commonEnvShape.KAFKA_BROKERS,
  PROBITY_TOPIC_NAMESPACE: commonEnvShape.PROBITY_TOPIC_NAMESPACE,
  LOG_LEVEL: commonEnvShape.LOG_LEVEL,
  /** Consumer group of all notary instances. @defaultValue `probity-notary` */
  NOTARY_GROUP_ID: z.string().min(1).default('probity-notary'),
  /** Log origin prefix in checkpoints; shard n is `<origin>/shard/<n>`. @defaultValue `probity.local/evidence` */
  NOTARY_LOG_ORIGIN: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'expected a log name like example.com/evidence').default('probity.local/evidence'),
  /** Signed-note key name of the notary's keys. @defaultValue `probity-notary` */
  NOTARY_KEY_NAME: z.string().regex(/^[^\s+]+$/, 'expected a name without spaces or +').default('probity-notary'),
  /** Raw messages larger than this go to the DLQ as OVERSIZED. @defaultValue 1048576 */
  NOTARY_MAX_MESSAGE_BYTES: envInt(1024 * 1024, 1024, 64 * 1024 * 1024),
  /** Most raw messages per Kafka transaction. @defaultValue 2000 */
  NOTARY_MAX_TRANSACTION_MESSAGES: envInt(2000, 1, 100_000),
  /** Also sign a DSSE envelope per record (costs ~40 µs of CPU each); checkpoints authenticate records either way. @defaultValue false */
  NOTARY_SIGN_RECORDS: envBoolean(false),
  /** Where the notary's keys live. @defaultValue `<PROBITY_DATA_DIR>/keys/notary` */
  NOTARY_KEYS_DIR: z.string().optional(),
  /**
   * Compression of the signed topic's record batches. gzip makes the topic
   * (kept forever) smaller; in bench/ingest the notary showed no clear
   * difference either way (binary batches, draining 40,000 manifests, two
   * runs each: 15,269 and 15,803/s gzip, 15,561 and 14,614/s none), so the
   * smaller topic wins by default.
   * @defaultValue `gzip`
   */
  NOTARY_SIGNED_COMPRESSION: z.enum(['none', 'gzip']).default('gzip'),
  /**
   * The broker holds a fetch until this many bytes are ready or NOTARY_FETCH_MAX_WAIT_MS
   * passes: larger fetches make fewer, larger transactions, each with a fixed cost
   * (a pack fdatasync, a checkpoint signature, three Kafka round trips: AddPartitionsToTxn, Produce, EndTxn). @defaultValue 65536
   */
  NOTARY_FETCH_MIN_BYTES: envInt(64 * 1024, 1, 64 * 1024 * 1024),
  /**
   * See NOTARY_FETCH_MIN_BYTES; this bounds the latency it adds. 10 rather than 20: in three
   * interleaved pairs of bench/ingest runs (100,000 manifests) it gave the higher rate and the lower
   * e2e p99 each time (p99 243/219/513 ms against 602/423/681). @defaultValue 10
   */
  NOTARY_FETCH_MAX_WAIT_MS: envInt(10, 0, 10_000),
  /**
   * A member silent this long leaves the consumer group: a stuck transaction's shards move on, and a
   * restarted instance waits at most this long for a killed one's shards. @defaultValue 30000
   */
  NOTARY_SESSION_TIMEOUT_MS: envInt(30_000, 6_000, 300_000),
  /**
   * Shards notarized in parallel by one instance: that many consumer group members, each with its own
   * fetch loop. kafkajs fetches again only when every batch of its last fetch is done, so shards sharing
   * one consumer would all wait for a stuck transaction of any of them (test/notary/shard-independence).
   * Past the 30 s session timeout the stuck member is evicted, and the shard's next owner in this
   * instance waits for it (then skips what it committed), holding up that owner's other shards.
   * Give at least the raw topic's partitions; a member with several shards takes them one at a time.
   * @defaultValue 3
   */
  NOTARY_CONCURRENCY: envInt(3, 1, 256),
  /**
   * Worker threads that decode, validate and verify raw messages (emitter
   * signatures are most of a signed record's cost), so one notary uses more
   * than one core; 0 does it all on the main thread. Measured on 2 shared
   * cores (bench/ingest drain): with signatures required, 2 threads
   * 6,925–7,006/s against 5,358–5,495/s inline; unsigned, no clear
   * difference (1 thread 15,354–17,495/s, inline 16,274–16,609/s, at ~3 µs
   * more CPU per manifest for the hand-over). Set it to the spare cores when
   * tenants require emitter signatures.
   * @defaultValue 0
   */
  NOTARY_INSPECT_THREADS: envInt(0, 0, 64),
};

export type NotaryConfig = ReturnType<typeof loadNotaryConfig>;

export function loadNotaryConfig(env: NodeJS.ProcessEnv = process.env) {
  return withNotaryPaths(parseEnv(notaryEnvShape, env));
}

/** The notary's files, derived from the data dir (NOTARY_KEYS_DIR may move the keys elsewhere). */
export function withNotaryPaths<C extends { PROBITY_DATA_DIR: string; NOTARY_KEYS_DIR?: string | undefined }>(config: C) {
  const layout = dataDirLayout(config.PROBITY_DATA_DIR);
  return {
    ...config,
    keysDir: config.NOTARY_KEYS_DIR ?? layout.notaryKeysDir,
    storeDir: layout.evidenceStoreDir,
    tenantPolicyFile: layout.tenantPolicyFile,
  };
}
