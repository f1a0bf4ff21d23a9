import { FileEvidenceStore } from '@probity/evidence-store';
import { createKafka, evidenceTopics } from '@probity/kafka';
import { NotaryKeyStore } from '@probity/keystore';
import type { Logger } from '@probity/logger';
import { defaultRegistry } from '@probity/schema';
import type { NotaryConfig } from './config.js';
import { Notary } from './notary.js';
import { schemaDecoder } from './schema-decoder.js';
import { TenantPolicies } from './tenant-policy.js';

/** Build a notary from parsed config: used by the notary's own main and by the local all-in-one process. */
export function createNotary(config: NotaryConfig, logger: Logger): Notary {
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'probity-notary',
    onLog: (level, message, extra) => logger[level]({ kafka: extra }, message),
  });
  return new Notary({
    kafka,
    topics: evidenceTopics(config.PROBITY_TOPIC_NAMESPACE),
    groupId: config.NOTARY_GROUP_ID,
    dataDir: config.PROBITY_DATA_DIR,
    origin: config.NOTARY_LOG_ORIGIN,
    store: new FileEvidenceStore(config.storeDir),
    keys: new NotaryKeyStore(config.keysDir, config.NOTARY_KEY_NAME).openOrCreate(),
    decoder: schemaDecoder(defaultRegistry()),
    policies: new TenantPolicies(config.tenantPolicyFile),
    maxMessageBytes: config.NOTARY_MAX_MESSAGE_BYTES,
    maxTransactionMessages: config.NOTARY_MAX_TRANSACTION_MESSAGES,
    signRecords: config.NOTARY_SIGN_RECORDS,
    signedCompression: config.NOTARY_SIGNED_COMPRESSION,
    concurrency: config.NOTARY_CONCURRENCY,
    inspectThreads: config.NOTARY_INSPECT_THREADS,
    fetchMinBytes: config.NOTARY_FETCH_MIN_BYTES,
    fetchMaxWaitMs: config.NOTARY_FETCH_MAX_WAIT_MS,
    sessionTimeoutMs: config.NOTARY_SESSION_TIMEOUT_MS,
    logger,
  });
}
