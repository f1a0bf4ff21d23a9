import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPublicKeyBase64, generateSigningKey, signEnvelope } from '@probity/crypto';
import { EMITTER_PAYLOAD_TYPE, encodeEmitterBatchHeader, signEmitterBatch } from '@probity/evidence';
import { defaultRegistry, frameSingleObject } from '@probity/schema';
import { inspectMessage, type RawMessage } from './inspect.js';
import { InspectPool } from './inspect-pool.js';
import { schemaDecoder } from './schema-decoder.js';
import { TenantPolicies } from './tenant-policy.js';

const registry = defaultRegistry();
const example = JSON.parse(readFileSync(new URL('../../../schemas/examples/EvidenceManifest.training.json', import.meta.url), 'utf8'));
const parsed = registry.fromJson<Record<string, unknown>>('EvidenceManifest', example);
if (!parsed.ok) throw new Error('example invalid');
const base = parsed.value;
const manifest = (tenant: string) => registry.encode('EvidenceManifest', { ...base, tenant, manifest_id: randomUUID() });

const emitter = generateSigningKey('pool-emitter');
const intruder = generateSigningKey('pool-intruder');
const policiesFile = path.join(mkdtempSync(path.join(tmpdir(), 'inspect-pool-')), 'tenants.json');
writeFileSync(
  policiesFile,
  JSON.stringify({ tenants: { signed: { requireEmitterSignatures: true, emitterKeys: [{ keyId: emitter.keyId, publicKey: exportPublicKeyBase64(emitter.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' }] } } }),
);
const maxMessageBytes = 8 * 1024;
const now = new Date();
const signatures = (bytes: Buffer, key = emitter) => JSON.stringify(signEnvelope(bytes, EMITTER_PAYLOAD_TYPE, key).signatures);

/** Every kind of outcome, in an order that makes the slices of two workers differ. */
function mixedMessages(): RawMessage[] {
  const signedRecord = manifest('signed');
  const otherSigned = manifest('signed');
  const entry = registry.current('EvidenceManifest');
  const badTenant = frameSingleObject(entry.fingerprint, entry.type.toBuffer({ ...base, tenant: 'Not Valid', manifest_id: randomUUID() }));
  const messages: RawMessage[] = [
    { value: signedRecord, tenantHeader: 'signed', emitterSignaturesHeader: signatures(signedRecord) },
    { value: manifest('signed'), tenantHeader: undefined, emitterSignaturesHeader: undefined },
    { value: otherSigned, tenantHeader: undefined, emitterSignaturesHeader: signatures(otherSigned, intruder) },
    { value: randomBytes(300), tenantHeader: undefined, emitterSignaturesHeader: undefined },
    { value: null, tenantHeader: undefined, emitterSignaturesHeader: undefined },
    { value: Buffer.alloc(maxMessageBytes + 1, 1), tenantHeader: undefined, emitterSignaturesHeader: undefined },
    { value: manifest('open'), tenantHeader: 'someone-else', emitterSignaturesHeader: undefined },
    { value: Buffer.concat([Buffer.from([0xc3, 0x01]), randomBytes(8), Buffer.alloc(20)]), tenantHeader: undefined, emitterSignaturesHeader: undefined },
    { value: badTenant, tenantHeader: undefined, emitterSignaturesHeader: undefined },
  ];
  // Signed by emitter batches: two by the tenant's key, one by an intruder's.
  const batched = [manifest('signed'), manifest('signed'), manifest('signed')];
  const hashes = batched.map((b) => createHash('sha256').update(b).digest());
  const byEmitter = signEmitterBatch('signed', hashes.slice(0, 2), emitter).map(encodeEmitterBatchHeader);
  const byIntruder = signEmitterBatch('signed', hashes.slice(2), intruder).map(encodeEmitterBatchHeader);
  batched.forEach((value, i) => messages.push({ value, tenantHeader: undefined, emitterSignaturesHeader: undefined, emitterBatchHeader: i < 2 ? byEmitter[i] : byIntruder[0] }));
  for (let i = 0; i < 60; i++) messages.push({ value: manifest('open'), tenantHeader: 'open', emitterSignaturesHeader: undefined });
  return messages;
}

const inline = (messages: RawMessage[], policies = new TenantPolicies(policiesFile)) => {
  const context = { decoder: schemaDecoder(registry), policyFor: (tenant: string) => policies.get(tenant), maxMessageBytes, now };
  return messages.map((message) => inspectMessage(message, context));
};

describe('InspectPool', () => {
  const policies = new TenantPolicies(policiesFile, 0);
  const pool = new InspectPool({ threads: 2, policies: () => policies.snapshot(), maxMessageBytes });
  afterAll(() => pool.close());

  it('decides exactly as inline inspection does, in message order, across workers', async () => {
    await pool.ready();
    const messages = mixedMessages();
    const expected = inline(messages);
    expect(new Set(expected.map((o) => (o.kind === 'dlq' ? o.reason : o.kind)))).toEqual(
      new Set(['accept', 'SIGNATURE_REQUIRED', 'SIGNATURE_INVALID', 'NOT_SINGLE_OBJECT', 'OVERSIZED', 'TENANT_MISMATCH', 'UNKNOWN_FINGERPRINT', 'SEMANTIC_INVALID']),
    );
    expect(await pool.inspect(messages, now)).toEqual(expected);
  });

  it('replaces a worker that dies; the batch it held fails as retriable and the next one succeeds', async () => {
    const workers = (pool as unknown as { slots: { worker: { emit(event: 'exit', code: number): boolean } }[] }).slots;
    const messages = mixedMessages();
    const held = pool.inspect(messages, now);
    // The thread's exit as Node reports it, while the request is certainly still pending.
    workers[0]!.worker.emit('exit', 1);
    await expect(held).rejects.toMatchObject({ code: 'INSPECT_FAILED', retriable: true });
    await pool.ready();
    expect(await pool.inspect(messages, now)).toEqual(inline(messages));
  });

  it("follows the main thread's policies: a change reaches the workers, a half-edited file keeps the last good one", async () => {
    const messages = mixedMessages();
    const original = readFileSync(policiesFile, 'utf8');
    try {
      const stricter = JSON.parse(original) as { tenants: Record<string, unknown> };
      stricter.tenants['open'] = { requireEmitterSignatures: true, emitterKeys: [] };
      writeFileSync(policiesFile, JSON.stringify(stricter));
      const refused = await pool.inspect(messages, now);
      expect(refused.filter((o) => o.kind === 'dlq' && o.reason === 'SIGNATURE_REQUIRED').length).toBeGreaterThan(60);
      expect(refused).toEqual(inline(messages, policies));
      writeFileSync(policiesFile, '{"tenants": {');
      expect(await pool.inspect(messages, now)).toEqual(refused);
      expect(policies.lastReloadError?.code).toBe('POLICY_INVALID');
    } finally {
      writeFileSync(policiesFile, original);
    }
  });

  it('reports a worker that cannot start instead of waiting for it forever', async () => {
    const fresh = new InspectPool({ threads: 1, policies: () => policies.snapshot(), maxMessageBytes });
    try {
      const starting = fresh.ready();
      (fresh as unknown as { slots: { worker: { emit(event: 'exit', code: number): boolean } }[] }).slots[0]!.worker.emit('exit', 1);
      await expect(starting).rejects.toMatchObject({ code: 'INSPECT_FAILED', retriable: true });
      // The next attempt (kafkajs retrying the batch) starts a new worker.
      await fresh.ready();
      expect(await fresh.inspect(mixedMessages().slice(0, 3), now)).toHaveLength(3);
    } finally {
      await fresh.close();
    }
  });
});
