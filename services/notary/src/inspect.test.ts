import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportPublicKeyBase64, generateSigningKey, signEnvelope } from '@probity/crypto';
import { EMITTER_BATCH_PAYLOAD_TYPE, EMITTER_PAYLOAD_TYPE, encodeEmitterBatchHeader, encodeEmitterBatchStatement, signEmitterBatch } from '@probity/evidence';
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

  describe('records signed by an emitter batch', () => {
    const records = [1, 2, 3].map((i) => registry.encode('EvidenceManifest', { ...(parsed.value as object), run_id: `batch-${i}` }));
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest();
    const headers = (tenant = 'acme-bank', key = emitterKey) => signEmitterBatch(tenant, records.map(sha), key).map(encodeEmitterBatchHeader);
    // One policy object, as TenantPolicies hands out: verified batches are remembered per policy's keyring.
    const stablePolicy: TenantPolicy = { requireEmitterSignatures: true, emitterKeys: [{ ...keyEntry, notAfter: '2026-12-01T00:00:00Z' }], retentionYears: 7 };
    const at = (iso: string): InspectContext => ({ ...context(), policyFor: () => stablePolicy, now: new Date(iso) });
    const inspectBatch = (value: Buffer, header: string, ctx = at('2026-11-24T00:00:00Z'), perRecord?: string) =>
      inspectMessage({ value, tenantHeader: undefined, emitterSignaturesHeader: perRecord, emitterBatchHeader: header }, ctx);

    it('accepts each record by its proof under one verified signature, and keeps the batch for the bundle', () => {
      const signed = headers();
      records.forEach((record, i) => {
        const outcome = inspectBatch(record, signed[i]!);
        expect(outcome.kind).toBe('accept');
        if (outcome.kind !== 'accept') return;
        expect(outcome.record.emitterKeyIds).toEqual([emitterKey.keyId]);
        expect(outcome.record.emitterBatch).toMatchObject({ index: i });
        expect(outcome.record.emitterSignatures).toEqual(JSON.parse(signed[i]!).signatures);
      });
    });

    it("refuses a record under another record's proof, even with the batch's signature already verified", () => {
      const signed = headers();
      expect(inspectBatch(records[0]!, signed[0]!).kind).toBe('accept');
      expect(inspectBatch(records[0]!, signed[1]!)).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
      expect(inspectBatch(bytes, signed[0]!)).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
    });

    it('does not let a verified signature vouch for another payload (the cache keys on both)', () => {
      const signed = JSON.parse(headers()[0]!) as { payload: string; signatures: unknown; index: number; proof: string[] };
      expect(inspectBatch(records[0]!, JSON.stringify(signed)).kind).toBe('accept');
      // An intruder's tree of its own record, presented with the emitter's (verified) signatures.
      const forged = { payload: encodeEmitterBatchStatement({ v: 1, tenant: 'acme-bank', size: 1, root: createHash('sha256').update(Buffer.concat([Buffer.from([0]), sha(bytes)])).digest('hex') }).toString('base64'), signatures: signed.signatures, index: 0, proof: [] };
      expect(inspectBatch(bytes, JSON.stringify(forged))).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
      // Nor does a verified payload carry other signatures: a signature over something else, or an extra field.
      const otherSig = signEmitterBatch('acme-bank', [sha(bytes)], emitterKey)[0]!.signatures;
      expect(inspectBatch(records[0]!, JSON.stringify({ ...signed, signatures: otherSig }))).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
      const withExtra = (signed.signatures as object[]).map((s) => ({ ...s, note: 'x' }));
      expect(inspectBatch(records[0]!, JSON.stringify({ ...signed, signatures: withExtra }))).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
      expect(inspectBatch(records[0]!, JSON.stringify(signed)).kind).toBe('accept');
    });

    it('refuses batches signed for another tenant, by unknown keys, after the key retired, malformed, or alongside a per-record signature', () => {
      expect(inspectBatch(records[0]!, headers('globex')[0]!)).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID', detail: expect.stringMatching(/signed for tenant "globex"/) });
      expect(inspectBatch(records[0]!, headers('acme-bank', otherKey)[0]!)).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
      const signed = headers();
      expect(inspectBatch(records[1]!, signed[1]!, at('2026-11-30T00:00:00Z')).kind).toBe('accept');
      // Verified (and remembered) while the key was valid; the key's retirement ends that.
      expect(inspectBatch(records[1]!, signed[1]!, at('2026-12-02T00:00:00Z'))).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
      expect(inspectBatch(records[0]!, '{not json')).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
      const perRecord = JSON.stringify(signEnvelope(records[0]!, EMITTER_PAYLOAD_TYPE, emitterKey).signatures);
      expect(inspectBatch(records[0]!, signed[0]!, undefined, perRecord)).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID', detail: expect.stringMatching(/both/) });
      // A per-record signature is not a batch signature: the payload types differ.
      const asBatch = { payload: records[0]!.toString('base64'), signatures: JSON.parse(perRecord), index: 0, proof: [] };
      expect(inspectBatch(records[0]!, JSON.stringify(asBatch))).toMatchObject({ kind: 'dlq', reason: 'SIGNATURE_INVALID' });
      expect(EMITTER_BATCH_PAYLOAD_TYPE).not.toBe(EMITTER_PAYLOAD_TYPE);
    });
  });
});
