import { Keyring, fromBase64, sha256, verifyDetachedEnvelope, type EnvelopeSignature, type TrustedKey } from '@probity/crypto';
import { EMITTER_PAYLOAD_TYPE } from '@probity/evidence';
import { checkEmitterBatch } from './emitter-batch-check.js';
import type { AcceptedRecord, DlqReason, Outcome } from './outcome.js';
import type { TenantPolicy } from './tenant-policy.js';

/** A record's type, writer schema and tenant, as the notary needs them to notarize it. */
type Identified = { recordType: string; version: number; fingerprint: string; tenant: string };

/** What the notary needs of the schema codec; the real one is @probity/schema's registry. */
export interface RecordDecoder {
  decode(bytes: Uint8Array): { recordType: string; version: number; fingerprint: string; value: Record<string, unknown> };
  semanticIssues(recordType: string, value: Record<string, unknown>, now: Date): { path: string; message: string }[];
  /**
   * A record fit to notarize, vouched for without decoding it (SchemaRegistry.quickCheck);
   * null or absent: decode and validate. Must never vouch for a record `decode` +
   * `semanticIssues` would refuse.
   */
  quickCheck?(bytes: Uint8Array, now: Date): Identified | null;
}

export interface InspectContext {
  decoder: RecordDecoder;
  policyFor(tenant: string): TenantPolicy;
  maxMessageBytes: number;
  now: Date;
}

export interface RawMessage {
  value: Buffer | null;
  tenantHeader: string | undefined;
  emitterSignaturesHeader: string | undefined;
  /** `probity-emitter-batch`: the emitter signed a batch of records, this one by inclusion proof. */
  emitterBatchHeader?: string;
}

const dlq = (reason: DlqReason, detail: string): Outcome => ({ kind: 'dlq', reason, detail });

/**
 * Decide about one raw message without side effects: decode, validate, check
 * the tenant's signature policy. Deduplication needs the log and happens in
 * the batch; every other refusal is a DLQ outcome with a machine-readable reason.
 */
export function inspectMessage(message: RawMessage, context: InspectContext): Outcome {
  const bytes = message.value;
  if (bytes === null || bytes.length === 0) return dlq('NOT_SINGLE_OBJECT', 'empty message value');
  if (bytes.length > context.maxMessageBytes) {
    return dlq('OVERSIZED', `message is ${bytes.length} bytes; the limit is ${context.maxMessageBytes} (NOTARY_MAX_MESSAGE_BYTES)`);
  }

  const identified = context.decoder.quickCheck?.(bytes, context.now) ?? decodeAndValidate(bytes, message, context);
  if ('reason' in identified) return identified;
  const { tenant } = identified;
  if (message.tenantHeader !== undefined && message.tenantHeader !== tenant) {
    return dlq('TENANT_MISMATCH', `header probity-tenant=${JSON.stringify(message.tenantHeader)} but the record says ${JSON.stringify(tenant)}`);
  }

  const policy = context.policyFor(tenant);
  const digest = sha256(bytes);
  const contentHash = Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength);
  const signature = checkEmitterSignature(bytes, contentHash, tenant, message, policy, context.now);
  if ('reason' in signature) return dlq(signature.reason, signature.detail);

  const record: AcceptedRecord = {
    tenant,
    contentHash,
    contentHashHex: contentHash.toString('hex'),
    recordType: identified.recordType,
    schemaVersion: identified.version,
    schemaFingerprint: identified.fingerprint,
    bytes,
    emitterKeyIds: signature.keyIds,
    emitterSignatures: signature.signatures,
    emitterBatch: signature.batch,
  };
  return { kind: 'accept', record };
}

/** The full path: decode (resolving to the current schema) and name every semantic issue; tenant mismatch is judged after. */
function decodeAndValidate(bytes: Buffer, message: RawMessage, context: InspectContext): Identified | Extract<Outcome, { kind: 'dlq' }> {
  let decoded: ReturnType<RecordDecoder['decode']>;
  try {
    decoded = context.decoder.decode(bytes);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const reason: DlqReason = code === 'NOT_SINGLE_OBJECT' || code === 'UNKNOWN_FINGERPRINT' ? code : 'BODY_INVALID';
    return { kind: 'dlq', reason, detail: (err as Error).message };
  }
  const tenant = decoded.value.tenant;
  if (typeof tenant !== 'string' || tenant.length === 0) return { kind: 'dlq', reason: 'SEMANTIC_INVALID', detail: 'tenant: missing' };
  const identified: Identified = { recordType: decoded.recordType, version: decoded.version, fingerprint: decoded.fingerprint, tenant };
  // A mismatched tenant is reported as such before any other issue (the record may be fine, the header not).
  if (message.tenantHeader !== undefined && message.tenantHeader !== tenant) return identified;
  const issues = context.decoder.semanticIssues(decoded.recordType, decoded.value, context.now);
  if (issues.length > 0) return { kind: 'dlq', reason: 'SEMANTIC_INVALID', detail: issues.map((i) => `${i.path}: ${i.message}`).join('; ') };
  return identified;
}

// Building a keyring validates every key (hashing, key objects): do it once per policy, not per message.
const keyrings = new WeakMap<TenantPolicy, Keyring>();

function keyringFor(policy: TenantPolicy): Keyring {
  let keyring = keyrings.get(policy);
  if (!keyring) {
    const trusted: TrustedKey[] = policy.emitterKeys.map((k) => ({
      keyId: k.keyId,
      publicKey: fromBase64(k.publicKey),
      notBefore: new Date(k.notBefore),
      ...(k.notAfter ? { notAfter: new Date(k.notAfter) } : {}),
    }));
    keyring = new Keyring(trusted);
    keyrings.set(policy, keyring);
  }
  return keyring;
}

type SignatureCheck = { keyIds: string[]; signatures: EnvelopeSignature[] | null; batch: AcceptedRecord['emitterBatch'] } | { reason: DlqReason; detail: string };

function checkEmitterSignature(bytes: Buffer, contentHash: Buffer, tenant: string, message: RawMessage, policy: TenantPolicy, now: Date): SignatureCheck {
  const header = message.emitterSignaturesHeader;
  if (message.emitterBatchHeader !== undefined) {
    if (header !== undefined) return { reason: 'SIGNATURE_INVALID', detail: 'the record carries both a per-record and a batch emitter signature; send one' };
    if (policy.emitterKeys.length === 0) return noEmitterKeys();
    return checkEmitterBatch(message.emitterBatchHeader, contentHash, tenant, keyringFor(policy), now);
  }
  if (header === undefined) {
    return policy.requireEmitterSignatures
      ? { reason: 'SIGNATURE_REQUIRED', detail: 'this tenant requires emitter signatures; sign with the SDK signer option or `probity emit --sign-key`' }
      : { keyIds: [], signatures: null, batch: null };
  }
  let signatures: unknown;
  try {
    signatures = JSON.parse(header);
  } catch {
    return { reason: 'SIGNATURE_INVALID', detail: 'header probity-emitter-envelope is not JSON' };
  }
  if (policy.emitterKeys.length === 0) return noEmitterKeys();
  try {
    // Key validity is judged at notarization time: a backdated occurred_at must not revive a retired key.
    // The envelope is { payload: base64(bytes), payloadType: EMITTER_PAYLOAD_TYPE, signatures }; verified without the base64 round trip.
    const verified = verifyDetachedEnvelope(EMITTER_PAYLOAD_TYPE, bytes, signatures, keyringFor(policy), { at: now });
    // Kept in canonical form: a DSSE signature may omit its keyid, and what is stored, hashed into the
    // statement and shipped in the signed batch must have one shape.
    return { keyIds: verified.keyIds, signatures: verified.signatures, batch: null };
  } catch (err) {
    return { reason: 'SIGNATURE_INVALID', detail: (err as Error).message };
  }
}

function noEmitterKeys(): SignatureCheck {
  return { reason: 'SIGNATURE_INVALID', detail: 'the record is signed but the tenant has no registered emitter keys; register one with `probity keys register`' };
}
