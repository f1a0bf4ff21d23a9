/**
 * DSSE v1 envelopes (https://github.com/secure-systems-lab/dsse), Ed25519 only.
 *
 * Signatures cover PAE(payloadType, payload) =
 *   "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * with lengths as ASCII decimal byte counts. Envelopes are produced with
 * standard base64; verification also accepts URL-safe base64, as the spec allows.
 */
import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { asBytes, bytesEqual, concatBytes, fromBase64, toBase64, utf8 } from './encoding.js';
import { CryptoError, type CryptoErrorCode } from './errors.js';
import { Keyring, describeFilter, type KeyFilter, type TrustedKey } from './keyring.js';
import { publicKeyFromRaw } from './keys.js';

export interface EnvelopeSignature {
  keyid: string;
  sig: string;
}

export interface Envelope {
  payload: string;
  payloadType: string;
  signatures: EnvelopeSignature[];
}

export interface EnvelopeSigner {
  keyId: string;
  privateKey: KeyObject;
}

export interface VerifyEnvelopeOptions extends KeyFilter {
  /** When the signatures were made; keys must be valid then. @defaultValue now */
  at?: Date;
  /** Distinct trusted keys that must have signed. @defaultValue 1 */
  threshold?: number;
}

export interface VerifiedEnvelope {
  payload: Uint8Array;
  payloadType: string;
  /** Key ids whose signatures verified, in envelope order. */
  keyIds: string[];
  /** The envelope's signatures in canonical form: exactly `keyid` (empty when absent, as DSSE allows) and `sig`. */
  signatures: EnvelopeSignature[];
}

export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8(payloadType);
  return concatBytes(utf8(`DSSEv1 ${type.byteLength} `), type, utf8(` ${payload.byteLength} `), payload);
}

function signPae(payload: Uint8Array, payloadType: string, signer: EnvelopeSigner): EnvelopeSignature {
  if (typeof signer.keyId !== 'string' || signer.keyId === '') {
    throw new CryptoError('KEY_INVALID', 'signer has no key id');
  }
  const sig = edSign(null, preAuthEncoding(payloadType, payload), signer.privateKey);
  return { keyid: signer.keyId, sig: toBase64(sig) };
}

export function signEnvelope(payload: Uint8Array, payloadType: string, signer: EnvelopeSigner): Envelope {
  if (typeof payloadType !== 'string' || payloadType === '') {
    throw new CryptoError('ENVELOPE_MALFORMED', 'payloadType must be a non-empty string');
  }
  return { payload: toBase64(payload), payloadType, signatures: [signPae(payload, payloadType, signer)] };
}

/** Returns a new envelope with the signer's signature added (replacing an earlier one by the same key id). */
export function addSignature(envelope: Envelope, signer: EnvelopeSigner): Envelope {
  const parsed = decodeEnvelope(envelope);
  const signature = signPae(parsed.payload, parsed.payloadType, signer);
  return {
    payload: parsed.envelope.payload,
    payloadType: parsed.payloadType,
    signatures: [...parsed.envelope.signatures.filter((s) => s.keyid !== signer.keyId), signature],
  };
}

const URL_SAFE_BASE64 = /^[A-Za-z0-9_-]*={0,2}$/;

function decodeBase64Field(value: string, field: string): Uint8Array {
  try {
    return fromBase64(value);
  } catch {
    // DSSE allows URL-safe base64 too; normalise it and apply the same strict check.
    if (URL_SAFE_BASE64.test(value)) {
      const bare = value.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
      try {
        return fromBase64(bare + '='.repeat((4 - (bare.length % 4)) % 4));
      } catch {
        // fall through to the error below
      }
    }
    throw new CryptoError('ENVELOPE_MALFORMED', `envelope ${field} is not valid base64`);
  }
}

function malformed(message: string): CryptoError {
  return new CryptoError('ENVELOPE_MALFORMED', message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw malformed(`unexpected field "${key}" in ${where}`);
  }
}

/**
 * Checks that a value is exactly a DSSE envelope (object or JSON text):
 * the three fields and no others, base64 that decodes, at least one signature.
 */
export function parseEnvelope(input: unknown): Envelope {
  return decodeEnvelope(input).envelope;
}

function decodeEnvelope(input: unknown): { envelope: Envelope; payload: Uint8Array; payloadType: string; sigs: Uint8Array[] } {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new CryptoError('ENVELOPE_MALFORMED', 'envelope is not valid JSON', { cause });
    }
  }
  if (!isPlainObject(value)) throw malformed('envelope must be a JSON object');
  onlyKeys(value, ['payload', 'payloadType', 'signatures'], 'envelope');
  const { payload, payloadType, signatures } = value;
  if (typeof payload !== 'string') throw malformed('envelope payload must be a base64 string');
  if (typeof payloadType !== 'string' || payloadType === '') throw malformed('envelope payloadType must be a non-empty string');
  const { signatures: cleanSignatures, sigs } = decodeSignatures(signatures);
  return {
    envelope: { payload, payloadType, signatures: cleanSignatures },
    payload: decodeBase64Field(payload, 'payload'),
    payloadType,
    sigs,
  };
}

function decodeSignatures(signatures: unknown): { signatures: EnvelopeSignature[]; sigs: Uint8Array[] } {
  if (!Array.isArray(signatures) || signatures.length === 0) throw malformed('envelope signatures must be a non-empty array');
  const sigs: Uint8Array[] = [];
  const clean: EnvelopeSignature[] = signatures.map((s, i) => {
    if (!isPlainObject(s)) throw malformed(`signatures[${i}] must be an object`);
    onlyKeys(s, ['keyid', 'sig'], `signatures[${i}]`);
    const keyid = s.keyid ?? '';
    if (typeof keyid !== 'string') throw malformed(`signatures[${i}].keyid must be a string`);
    if (typeof s.sig !== 'string' || s.sig === '') throw malformed(`signatures[${i}].sig must be a non-empty base64 string`);
    sigs.push(decodeBase64Field(s.sig, `signatures[${i}].sig`));
    return { keyid, sig: s.sig };
  });
  return { signatures: clean, sigs };
}

// Which failure explains best why the threshold was not met.
const FAILURE_RANK: Partial<Record<CryptoErrorCode, number>> = { SIGNATURE_INVALID: 3, KEY_NOT_VALID_AT_TIME: 2, KEY_UNKNOWN: 1 };

/**
 * Most Ed25519 verifications one envelope may cost, whatever its signatures
 * and key id hints say. A signature whose hint names a trusted key costs one;
 * one whose hint is foreign (another tool's key id scheme) or absent is tried
 * against the other keys valid then, until this budget is spent.
 */
export const MAX_SIGNATURE_CHECKS_PER_ENVELOPE = 8;

/**
 * Verifies an envelope offline against trusted public keys. DSSE makes
 * `keyid` an unauthenticated hint: each signature is tried with the key it
 * names first, then with the other keys valid at `at` that pass the filter
 * (a hint never reaches a key the filter excludes), at most
 * MAX_SIGNATURE_CHECKS_PER_ENVELOPE verifications in all. Signatures that no
 * key verifies do not count; if fewer than `threshold` distinct keys verify,
 * the most telling failure is thrown.
 */
export function verifyEnvelope(envelope: unknown, trustedKeys: readonly TrustedKey[] | Keyring, options: VerifyEnvelopeOptions = {}): VerifiedEnvelope {
  const decoded = decodeEnvelope(envelope);
  return verifyDecoded(decoded.payloadType, decoded.payload, decoded.envelope.signatures, decoded.sigs, trustedKeys, options);
}

/**
 * `verifyEnvelope` for a payload the caller holds as bytes: the envelope
 * would be `{ payload: base64(payload), payloadType, signatures }`. Saves
 * encoding the payload to base64 only to decode it again (the notary does
 * this for every signed record it receives).
 */
export function verifyDetachedEnvelope(payloadType: string, payload: Uint8Array, signatures: unknown, trustedKeys: readonly TrustedKey[] | Keyring, options: VerifyEnvelopeOptions = {}): VerifiedEnvelope {
  if (typeof payloadType !== 'string' || payloadType === '') throw malformed('envelope payloadType must be a non-empty string');
  const decoded = decodeSignatures(signatures);
  return verifyDecoded(payloadType, payload, decoded.signatures, decoded.sigs, trustedKeys, options);
}

function verifyDecoded(payloadType: string, payload: Uint8Array, signatures: readonly EnvelopeSignature[], sigs: readonly Uint8Array[], trustedKeys: readonly TrustedKey[] | Keyring, options: VerifyEnvelopeOptions): VerifiedEnvelope {
  const threshold = options.threshold ?? 1;
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new CryptoError('ENVELOPE_MALFORMED', `threshold must be a positive integer, got ${threshold}`);
  }
  const at = options.at ?? new Date();
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new CryptoError('KEY_NOT_VALID_AT_TIME', 'the signing time given to verifyEnvelope is not a valid Date');
  }
  const filter: KeyFilter = { purpose: options.purpose, tenant: options.tenant };
  const keyring = trustedKeys instanceof Keyring ? trustedKeys : new Keyring(trustedKeys);
  const pae = preAuthEncoding(payloadType, payload);

  // Signature index -> the key that verified it; a key (by public key, whatever its ids) counts once.
  const accepted = new Map<number, TrustedKey>();
  const counted = (key: TrustedKey): boolean => [...accepted.values()].some((k) => k === key || bytesEqual(k.publicKey, key.publicKey));
  let worst: CryptoError | undefined;
  const note = (err: CryptoError): void => {
    if (worst === undefined || (FAILURE_RANK[err.code] ?? 0) > (FAILURE_RANK[worst.code] ?? 0)) worst = err;
  };
  let checks = 0;
  let budgetSpent = false;
  const verifies = (key: TrustedKey, i: number): boolean => {
    if (checks >= MAX_SIGNATURE_CHECKS_PER_ENVELOPE) {
      budgetSpent = true;
      return false;
    }
    checks += 1;
    return edVerify(null, pae, keyObjectFor(key.publicKey), sigs[i]!);
  };

  // First each signature with the key its keyid names, then the rest with the other valid keys.
  const tried = new Map<number, TrustedKey>();
  signatures.forEach((signature, i) => {
    if (sigs[i]!.byteLength !== 64) {
      note(new CryptoError('SIGNATURE_INVALID', `signatures[${i}] is ${sigs[i]!.byteLength} bytes, not an Ed25519 signature`));
      return;
    }
    if (signature.keyid === '') return;
    let hinted: TrustedKey;
    try {
      hinted = keyring.require(signature.keyid, at, filter);
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      note(err);
      return;
    }
    if (counted(hinted)) return;
    tried.set(i, hinted);
    if (verifies(hinted, i)) accepted.set(i, hinted);
    else note(new CryptoError('SIGNATURE_INVALID', `signatures[${i}] by key ${signature.keyid} does not verify over the envelope's payload and payloadType`));
  });
  if (accepted.size < threshold) {
    const others = keyring.validAt(at, filter);
    if (others.length === 0 && signatures.some((s) => s.keyid === '')) note(new CryptoError('KEY_UNKNOWN', `no trusted key${describeFilter(filter)} is valid at ${at.toISOString()}`));
    for (let i = 0; i < signatures.length && accepted.size < threshold && !budgetSpent; i++) {
      if (accepted.has(i) || sigs[i]!.byteLength !== 64) continue;
      for (const key of others) {
        if (key === tried.get(i) || counted(key)) continue;
        if (verifies(key, i)) {
          accepted.set(i, key);
          break;
        }
        if (budgetSpent) break;
      }
    }
  }

  const keyIds = [...accepted.entries()].sort(([a], [b]) => a - b).map(([, key]) => key.keyId);
  if (keyIds.length >= threshold) {
    return { payload: asBytes(payload), payloadType, keyIds, signatures: [...signatures] };
  }
  if (budgetSpent) {
    throw new CryptoError('SIGNATURE_INVALID', `${keyIds.length} of the required ${threshold} trusted keys verified within ${MAX_SIGNATURE_CHECKS_PER_ENVELOPE} signature checks; give each signature the keyid its key was registered under`);
  }
  if (keyIds.length > 0 || worst === undefined) {
    throw new CryptoError('SIGNATURE_INVALID', `${keyIds.length} of the required ${threshold} trusted keys signed the envelope${worst ? ` (${worst.message})` : ''}`);
  }
  throw worst;
}

// Importing a raw key into a KeyObject costs about as much as a verification:
// keep one per trusted key (keys in a Keyring are frozen, so identity is stable).
const keyObjects = new WeakMap<Uint8Array, ReturnType<typeof publicKeyFromRaw>>();

function keyObjectFor(publicKeyRaw: Uint8Array): ReturnType<typeof publicKeyFromRaw> {
  let keyObject = keyObjects.get(publicKeyRaw);
  if (!keyObject) {
    keyObject = publicKeyFromRaw(publicKeyRaw);
    keyObjects.set(publicKeyRaw, keyObject);
  }
  return keyObject;
}
