import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportPublicKeyBase64, generateSigningKey, signEnvelope } from '@probity/crypto';
import { EMITTER_PAYLOAD_TYPE } from '@probity/evidence';
import { defaultRegistry } from '@probity/schema';
import { inspectMessage, type InspectContext } from './inspect.js';
import { schemaDecoder } from './schema-decoder.js';
import type { TenantPolicy } from './tenant-policy.js';

const example = JSON.parse(readFileSync(new URL('../../../schemas/examples/EvidenceManifest.training.json', import.meta.url), 'utf8'));
const registry = defaultRegistry();
const parsed = registry.fromJson('EvidenceManifest', example);
if (!parsed.ok) throw new Error('example invalid');
const bytes = registry.encode('EvidenceManifest', parsed.value);

const emitterKey = generateSigningKey('ci-emitter');
const otherKey = generateSigningKey('intruder');
const keyEntry = { keyId: emitterKey.keyId, publicKey: exportPublicKeyBase64(emitterKey.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' };

function context(policy: Partial<TenantPolicy> = {}): InspectContext {
  return {
    decoder: schemaDecoder(registry),
    policyFor: () => ({ requireEmitterSignatures: false, emitterKeys: [], retentionYears: 7, ...policy }),
    maxMessageBytes: 1 << 20,
    now: new Date('2026-11-24T00:00:00Z'),
  };
}

function signatures(key = emitterKey): string {
  return JSON.stringify(signEnvelope(bytes, EMITTER_PAYLOAD_TYPE, key).signatures);
}

describe('inspectMessage', () => {
  it('accepts a valid unsigned record and names it by the SHA-256 of its bytes', () => {
    const outcome = inspectMessage({ value: bytes, tenantHeader: 'acme-bank', emitterSignaturesHeader: undefined }, context());
    expect(outcome.kind).toBe('accept');
    if (outcome.kind !== 'accept') return;
    expect(outcome.record.contentHashHex).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(outcome.record.tenant).toBe('acme-bank');
    expect(outcome.record.recordType).toBe('EvidenceManifest');
    expect(outcome.record.emitterKeyIds).toEqual([]);
  });

  it('requires a signature when the tenant does', () => {
    const outcome = inspectMessage({ value: bytes, tenantHeader: undefined, emitterSignaturesHeader: undefined }, context({ requireEmitterSignatures: true, emitterKeys: [keyEntry] }));
    expect(outcome).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_REQUIRED' });
  });

  it('accepts a signature by a registered key and records its key id', () => {
    const outcome = inspectMessage({ value: bytes, tenantHeader: undefined, emitterSignaturesHeader: signatures() }, context({ requireEmitterSignatures: true, emitterKeys: [keyEntry] }));
    expect(outcome.kind).toBe('accept');
    if (outcome.kind === 'accept') expect(outcome.record.emitterKeyIds).toEqual([emitterKey.keyId]);
  });

  it('refuses signatures by unknown keys, over other bytes, by retired keys, or malformed', () => {
    const policy = { requireEmitterSignatures: true, emitterKeys: [keyEntry] };
    const bySomeoneElse = inspectMessage({ value: bytes, tenantHeader: undefined, emitterSignaturesHeader: signatures(otherKey) }, context(policy));
    expect(bySomeoneElse).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });

    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    const overOtherBytes = inspectMessage({ value: tampered, tenantHeader: undefined, emitterSignaturesHeader: signatures() }, context(policy));
    expect(overOtherBytes.kind).toBe('dlq');

    const retired = inspectMessage(
      { value: bytes, tenantHeader: undefined, emitterSignaturesHeader: signatures() },
      context({ requireEmitterSignatures: true, emitterKeys: [{ ...keyEntry, notAfter: '2025-01-01T00:00:00Z' }] }),
    );
    expect(retired).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });

    expect(inspectMessage({ value: bytes, tenantHeader: undefined, emitterSignaturesHeader: '{not json' }, context(policy))).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
  });

  it('sends oversized, empty and tenant-mismatched messages to the DLQ', () => {
    expect(inspectMessage({ value: bytes, tenantHeader: undefined, emitterSignaturesHeader: undefined }, { ...context(), maxMessageBytes: 10 })).toMatchObject({ kind: 'dlq', reason: 'OVERSIZED' });
    expect(inspectMessage({ value: null, tenantHeader: undefined, emitterSignaturesHeader: undefined }, context())).toMatchObject({ kind: 'dlq', reason: 'NOT_SINGLE_OBJECT' });
    expect(inspectMessage({ value: bytes, tenantHeader: 'globex', emitterSignaturesHeader: undefined }, context())).toMatchObject({ kind: 'dlq', reason: 'TENANT_MISMATCH' });
  });
});
