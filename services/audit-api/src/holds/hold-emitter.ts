import { readFileSync } from 'node:fs';
import { createEmitter, type Emitter, type EmitterLogger, type RecordSigner } from '@probity/agent';
import { importPrivateKeyPem } from '@probity/crypto';
import { evidenceTopics } from '@probity/kafka';
import { AuditApiError } from '../errors.js';
import type { EvidenceEmitter } from './legal-holds.js';

export interface HoldEmitterConfig {
  PROBITY_DATA_DIR: string;
  KAFKA_BROKERS: string[];
  PROBITY_TOPIC_NAMESPACE: string;
  PROBITY_EMIT_PACK_BYTES: number;
  PROBITY_HOLD_SIGN_KEY?: string | undefined;
  PROBITY_HOLD_SIGN_TENANTS?: string[] | undefined;
}

export interface HoldEmitter extends EvidenceEmitter {
  close(options?: { drainTimeoutMs?: number }): Promise<void>;
}

/**
 * The emitter of the API's legal hold records: the agent SDK, with a spool of
 * its own under `<data dir>/spool/`. The notary refuses a signed record of a
 * tenant without registered emitter keys, and an unsigned one of a tenant
 * that requires signatures, so records of the tenants in
 * PROBITY_HOLD_SIGN_TENANTS (whose key registrations include the public key
 * of PROBITY_HOLD_SIGN_KEY) are signed and the others are not.
 */
export async function createHoldEmitter(config: HoldEmitterConfig, logger?: EmitterLogger): Promise<HoldEmitter> {
  const base = {
    dataDir: config.PROBITY_DATA_DIR,
    brokers: config.KAFKA_BROKERS,
    topic: evidenceTopics(config.PROBITY_TOPIC_NAMESPACE).raw,
    maxPackBytes: config.PROBITY_EMIT_PACK_BYTES,
    ...(logger ? { logger } : {}),
  };
  const signTenants = new Set(config.PROBITY_HOLD_SIGN_TENANTS ?? []);
  if (signTenants.size > 0 && !config.PROBITY_HOLD_SIGN_KEY) throw new AuditApiError('UNAVAILABLE', 'PROBITY_HOLD_SIGN_TENANTS needs PROBITY_HOLD_SIGN_KEY');
  const plain = await createEmitter({ name: 'audit-api', ...base });
  let signed: Emitter | null = null;
  if (config.PROBITY_HOLD_SIGN_KEY && signTenants.size > 0) {
    let pem: string;
    try {
      pem = readFileSync(config.PROBITY_HOLD_SIGN_KEY, 'utf8');
    } catch (err) {
      await plain.close();
      throw new AuditApiError('UNAVAILABLE', `PROBITY_HOLD_SIGN_KEY: cannot read ${config.PROBITY_HOLD_SIGN_KEY} (${(err as Error).message})`);
    }
    const key = importPrivateKeyPem('legal-holds', pem);
    const signer: RecordSigner = { keyId: key.keyId, privateKey: key.privateKey, mode: 'batch' };
    signed = await createEmitter({ name: 'audit-api-signed', ...base, signer });
  }
  return {
    emit: (recordType, value, options) => {
      const tenant = (value as { tenant?: unknown }).tenant;
      return (signed && typeof tenant === 'string' && signTenants.has(tenant) ? signed : plain).emit(recordType, value, options);
    },
    close: async (options) => {
      await Promise.all([plain.close(options), signed?.close(options)]);
    },
  };
}
