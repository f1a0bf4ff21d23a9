/**
 * C2SP signed notes (https://c2sp.org/signed-note), byte-compatible with Go's
 * golang.org/x/mod/sumdb/note for Ed25519 keys.
 *
 *   note     = text (ends in "\n") "\n" signature-line+
 *   sig line = "— " name " " base64(keyHash[4] || ed25519sig[64]) "\n"   (— is U+2014)
 *   keyHash  = first 4 bytes of SHA-256(name || "\n" || 0x01 || pubkey32), big-endian uint32
 *   vkey     = name "+" hex8(keyHash) "+" base64(0x01 || pubkey32)
 *   skey     = "PRIVATE+KEY+" name "+" hex8(keyHash) "+" base64(0x01 || seed32)
 */
import { createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { concatBytes, fromBase64, sha256, toBase64, utf8 } from './encoding.js';
import { CryptoError } from './errors.js';
import { ED25519_PUBLIC_KEY_SIZE, privateKeyFromSeed, privateKeySeed, publicKeyFromRaw, rawPublicKey } from './keys.js';

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 ';
const MAX_SIGNATURES = 100;

export interface NoteVerifier {
  name: string;
  keyHash: number;
  publicKeyRaw: Uint8Array;
}

export interface NoteSigner {
  name: string;
  privateKey: KeyObject;
  publicKeyRaw: Uint8Array;
}

export interface NoteSignature {
  name: string;
  keyHash: number;
  /** base64(keyHash || signature), as on the signature line. */
  base64: string;
}

export interface OpenedNote {
  text: string;
  /** Signatures by known verifiers, all checked. */
  sigs: NoteSignature[];
  /** Signatures by keys not in the verifier list: carried along, not checked. */
  unverifiedSigs: NoteSignature[];
}

// Go's unicode.IsSpace: the Unicode White_Space property.
const SPACE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Control characters other than newline are forbidden anywhere in a note.
const CONTROL = /[\u0000-\u0009\u000B-\u001F]/;

export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name !== '' && !SPACE.test(name) && !name.includes('+') && !LONE_SURROGATE.test(name);
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new CryptoError('KEY_INVALID', `invalid note key name ${JSON.stringify(name)}: must be non-empty, without spaces or "+"`);
}

function encodedPublicKey(publicKeyRaw: Uint8Array): Uint8Array {
  if (!(publicKeyRaw instanceof Uint8Array) || publicKeyRaw.byteLength !== ED25519_PUBLIC_KEY_SIZE) {
    throw new CryptoError('KEY_INVALID', `Ed25519 public key must be ${ED25519_PUBLIC_KEY_SIZE} raw bytes`);
  }
  return concatBytes(new Uint8Array([ALG_ED25519]), publicKeyRaw);
}

/** First 4 bytes of SHA-256(name || "\n" || 0x01 || pubkey), as a big-endian uint32. */
export function noteKeyHash(name: string, publicKeyRaw: Uint8Array): number {
  const digest = sha256(concatBytes(utf8(`${name}\n`), encodedPublicKey(publicKeyRaw)));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0);
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

export function formatVerifierKey(name: string, publicKeyRaw: Uint8Array): string {
  assertKeyName(name);
  return `${name}+${hex8(noteKeyHash(name, publicKeyRaw))}+${toBase64(encodedPublicKey(publicKeyRaw))}`;
}

function parseKeyParts(name: string, hash16: string | undefined, key64: string | undefined, what: string): { keyHash: number; key: Uint8Array } {
  if (!isValidKeyName(name) || hash16 === undefined || key64 === undefined || !/^[0-9a-fA-F]{8}$/.test(hash16)) {
    throw new CryptoError('KEY_INVALID', `malformed ${what}`);
  }
  let key: Uint8Array;
  try {
    key = fromBase64(key64);
  } catch (cause) {
    throw new CryptoError('KEY_INVALID', `malformed ${what}: key is not base64`, { cause });
  }
  if (key.byteLength !== 1 + ED25519_PUBLIC_KEY_SIZE || key[0] !== ALG_ED25519) {
    throw new CryptoError('KEY_INVALID', `${what} is not an Ed25519 key (algorithm byte ${key[0] ?? 'missing'})`);
  }
  return { keyHash: Number.parseInt(hash16, 16), key: key.subarray(1) };
}

/** Splits off `count - 1` leading "+"-separated fields; the last part keeps its "+" (base64 may contain them), as Go's strings.Cut chain does. */
function cutFields(text: unknown, count: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let rest = typeof text === 'string' ? text : undefined;
  for (let i = 0; i < count - 1; i++) {
    const at = rest === undefined ? -1 : rest.indexOf('+');
    if (rest === undefined || at < 0) {
      out.push(rest);
      rest = undefined;
    } else {
      out.push(rest.slice(0, at));
      rest = rest.slice(at + 1);
    }
  }
  out.push(rest);
  return out;
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const [name = '', hash16, key64] = cutFields(vkey, 3);
  const { keyHash, key } = parseKeyParts(name, hash16, key64, 'verifier key');
  if (noteKeyHash(name, key) !== keyHash) throw new CryptoError('KEY_INVALID', `verifier key hash ${hash16} does not match name and key`);
  return { name, keyHash, publicKeyRaw: key };
}

/** Go note.NewSigner format. Keep it secret: it holds the private seed. */
export function formatSignerKey(name: string, privateKey: KeyObject): string {
  assertKeyName(name);
  const publicKeyRaw = rawPublicKey(createPublicKey(privateKey));
  const seed = concatBytes(new Uint8Array([ALG_ED25519]), privateKeySeed(privateKey));
  return `PRIVATE+KEY+${name}+${hex8(noteKeyHash(name, publicKeyRaw))}+${toBase64(seed)}`;
}

export function parseSignerKey(skey: string): NoteSigner & { keyHash: number } {
  const [priv, keyWord, name = '', hash16, key64] = cutFields(skey, 5);
  if (priv !== 'PRIVATE' || keyWord !== 'KEY') throw new CryptoError('KEY_INVALID', 'malformed signer key');
  const { keyHash, key: seed } = parseKeyParts(name, hash16, key64, 'signer key');
  const privateKey = privateKeyFromSeed(seed);
  const publicKeyRaw = rawPublicKey(createPublicKey(privateKey));
  if (noteKeyHash(name, publicKeyRaw) !== keyHash) throw new CryptoError('KEY_INVALID', `signer key hash ${hash16} does not match name and derived public key`);
  return { name, keyHash, privateKey, publicKeyRaw };
}

function assertNoteText(text: string, what: string): void {
  if (typeof text !== 'string' || CONTROL.test(text) || LONE_SURROGATE.test(text)) {
    throw new CryptoError('NOTE_MALFORMED', `${what} contains control characters or invalid Unicode`);
  }
}

// fatal: invalid UTF-8 is refused, as Go's note.Open refuses it; ignoreBOM: a leading U+FEFF stays part of the text.
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A signed note given as text, or as the bytes it travelled as (then invalid UTF-8 is refused too). */
export type SignedNoteInput = string | Uint8Array;

function noteString(input: SignedNoteInput): string {
  if (typeof input === 'string') return input;
  if (!(input instanceof Uint8Array)) throw new CryptoError('NOTE_MALFORMED', 'a signed note must be a string or UTF-8 bytes');
  try {
    return UTF8_STRICT.decode(input);
  } catch {
    throw new CryptoError('NOTE_MALFORMED', 'signed note is not valid UTF-8');
  }
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Padded standard base64 as Go's base64.StdEncoding decodes it: unused
 * trailing bits are ignored (Go does not check them), everything else is as
 * strict as `fromBase64`. Used for the fields Go's note and checkpoint
 * parsers decode, so both accept exactly the same notes.
 */
export function decodeNoteBase64(text: string): Uint8Array | undefined {
  if (!STD_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface ParsedNoteSignature extends NoteSignature {
  /** The Ed25519 signature bytes (after the 4-byte key hash); not checked by `parseNote`. */
  signature: Uint8Array;
  /** The signature line without its prefix, as Go dedupes unverified signatures by it. */
  line: string;
}

export interface ParsedNote {
  /** The signed text: everything up to and including the newline before the last blank line. */
  text: string;
  signatures: ParsedNoteSignature[];
}

/**
 * The one parser of signed notes (C2SP signed-note, as Go's note.Open reads
 * them), without checking any signature: valid UTF-8 without control
 * characters other than newline; text and signatures split at the *last*
 * blank line; a non-empty signature block ending in a newline; every line
 * `— name base64(keyHash || sig)` with a valid key name and at least 5 bytes;
 * at most 100 signature lines. Throws NOTE_MALFORMED otherwise.
 */
export function parseNote(signedNote: SignedNoteInput): ParsedNote {
  const note = noteString(signedNote);
  assertNoteText(note, 'signed note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new CryptoError('NOTE_MALFORMED', 'signed note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new CryptoError('NOTE_MALFORMED', 'signature block must be non-empty and end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new CryptoError('NOTE_MALFORMED', `more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line): ParsedNoteSignature => {
    if (!line.startsWith(SIG_PREFIX)) throw new CryptoError('NOTE_MALFORMED', 'signature line does not start with "\u2014 "');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    const raw = decodeNoteBase64(b64);
    if (raw === undefined) throw new CryptoError('NOTE_MALFORMED', `signature by ${JSON.stringify(name)} is not base64`);
    if (!isValidKeyName(name) || b64 === '' || raw.byteLength < 5) throw new CryptoError('NOTE_MALFORMED', 'malformed signature line');
    const keyHash = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0);
    return { name, keyHash, base64: b64, signature: raw.subarray(4), line: rest };
  });
  return { text, signatures };
}

/** Signs note text (which must end in "\n") with one or more signers. */
export function signNote(text: string, signers: NoteSigner | readonly NoteSigner[]): string {
  assertNoteText(text, 'note text');
  if (!text.endsWith('\n')) throw new CryptoError('NOTE_MALFORMED', 'note text must end with a newline');
  const list = Array.isArray(signers) ? signers : [signers as NoteSigner];
  if (list.length === 0) throw new CryptoError('KEY_INVALID', 'signNote needs at least one signer');
  const message = utf8(text);
  let lines = '';
  for (const signer of list) {
    assertKeyName(signer.name);
    const keyHash = noteKeyHash(signer.name, signer.publicKeyRaw);
    const sig = edSign(null, message, signer.privateKey);
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, keyHash);
    lines += `${SIG_PREFIX}${signer.name} ${toBase64(concatBytes(prefix, sig))}\n`;
  }
  return `${text}\n${lines}`;
}

function verifierMap(verifiers: readonly (NoteVerifier | string)[]): Map<string, NoteVerifier> {
  const map = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const parsed = typeof v === 'string' ? parseVerifierKey(v) : v;
    const id = `${parsed.name}\n${parsed.keyHash}`;
    const seen = map.get(id);
    if (seen && toBase64(seen.publicKeyRaw) !== toBase64(parsed.publicKeyRaw)) {
      throw new CryptoError('KEY_INVALID', `two different verifier keys share name ${parsed.name} and key hash ${hex8(parsed.keyHash)}`);
    }
    map.set(id, parsed);
  }
  return map;
}

/**
 * Parses a signed note (`parseNote`) and checks every signature by a known
 * verifier. Throws NOTE_MALFORMED, SIGNATURE_INVALID (a known key's signature
 * fails) or NOTE_UNVERIFIED (no known key signed), with the same rules as Go's note.Open.
 */
export function openNote(signedNote: SignedNoteInput, verifiers: readonly (NoteVerifier | string)[]): OpenedNote {
  const known = verifierMap(verifiers);
  const { text, signatures } = parseNote(signedNote);
  const message = utf8(text);
  const sigs: NoteSignature[] = [];
  const unverifiedSigs: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const { name, keyHash, base64, signature, line } of signatures) {
    const id = `${name}\n${keyHash}`;
    const verifier = known.get(id);
    if (verifier === undefined) {
      // Go drops repeated identical unverified lines.
      if (!seen.has(line)) unverifiedSigs.push({ name, keyHash, base64 });
      seen.add(line);
      continue;
    }
    // Go checks only the first signature of each known key and skips later ones.
    if (seen.has(id)) continue;
    seen.add(id);
    if (signature.byteLength !== 64 || !edVerify(null, message, publicKeyFromRaw(verifier.publicKeyRaw), signature)) {
      throw new CryptoError('SIGNATURE_INVALID', `signature by ${name}+${hex8(keyHash)} does not verify`);
    }
    sigs.push({ name, keyHash, base64 });
  }
  if (sigs.length === 0) {
    throw new CryptoError('NOTE_UNVERIFIED', `no known verifier signed the note (signed by: ${unverifiedSigs.map((s) => `${s.name}+${hex8(s.keyHash)}`).join(', ')})`);
  }
  return { text, sigs, unverifiedSigs };
}
