/**
 * tlog checkpoints (https://c2sp.org/tlog-checkpoint): the signed note body
 *
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n]*
 */
import { toBase64, utf8 } from './encoding.js';
import { CryptoError } from './errors.js';
import { HASH_SIZE } from './merkle.js';
import { decodeNoteBase64, openNote, parseNote, parseVerifierKey, signNote, type NoteSigner, type NoteVerifier, type SignedNoteInput } from './note.js';

export interface Checkpoint {
  /** Unique log identity, e.g. "probity.example/log/tenant-a/0". */
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: string[];
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
// Go's checkpoint parser (filippo.io/torchwood) refuses longer texts.
const MAX_CHECKPOINT_BYTES = 1_000_000;
const CONTROL = /[\u0000-\u0009\u000B-\u001F]/;

function bad(message: string): CryptoError {
  return new CryptoError('CHECKPOINT_MALFORMED', message);
}

function assertLine(value: string, what: string): void {
  if (typeof value !== 'string' || value === '' || value.includes('\n')) throw bad(`${what} must be a non-empty single line`);
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  assertLine(checkpoint.origin, 'origin');
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) throw bad(`size ${checkpoint.size} is not a non-negative safe integer`);
  if (!(checkpoint.rootHash instanceof Uint8Array) || checkpoint.rootHash.byteLength !== HASH_SIZE) throw bad(`root hash must be ${HASH_SIZE} bytes`);
  const extensions = checkpoint.extensions ?? [];
  extensions.forEach((line, i) => assertLine(line, `extension ${i}`));
  return [checkpoint.origin, String(checkpoint.size), toBase64(checkpoint.rootHash), ...extensions].map((l) => `${l}\n`).join('');
}

/**
 * A checkpoint body (the text of its signed note), as Go parses it: ends in a
 * newline; a non-empty origin; the size in decimal without sign or leading
 * zeros; a 32-byte root in padded standard base64; then only non-empty
 * extension lines. Sizes above 2^53 - 1 are refused (JavaScript numbers).
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw bad('checkpoint must end with a newline');
  if (CONTROL.test(text)) throw bad('checkpoint contains control characters');
  if (text.length > MAX_CHECKPOINT_BYTES / 3 && utf8(text).byteLength > MAX_CHECKPOINT_BYTES) throw bad(`checkpoint is longer than ${MAX_CHECKPOINT_BYTES} bytes`);
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || origin === '') throw bad('checkpoint origin line is empty');
  if (sizeText === undefined || !DECIMAL.test(sizeText)) throw bad('checkpoint size is not a decimal number without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw bad(`checkpoint size ${sizeText} exceeds 2^53 - 1`);
  if (rootText === undefined) throw bad('checkpoint has no root hash line');
  const rootHash = decodeNoteBase64(rootText);
  if (rootHash === undefined) throw bad('checkpoint root hash is not base64');
  if (rootHash.byteLength !== HASH_SIZE) throw bad(`checkpoint root hash is ${rootHash.byteLength} bytes, expected ${HASH_SIZE}`);
  if (extensions.some((l) => l === '')) throw bad('checkpoint extension lines must not be empty');
  return { origin, size, rootHash, extensions };
}

/**
 * The checkpoint a signed note carries, parsed strictly (`parseNote`, then
 * `parseCheckpoint`) without checking its signatures: for notes whose root is
 * checked some other way (a signed batch whose leaves must hash to it) or
 * that are only being stored. Verifiers use `verifyCheckpoint`.
 */
export function parseSignedCheckpoint(signedNote: SignedNoteInput): Checkpoint {
  return parseCheckpoint(parseNote(signedNote).text);
}

export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner | readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signer);
}

type VerifierInput = NoteVerifier | string;

/**
 * Who may sign a checkpoint. `log`: the log's own keys (several while a key
 * rotates); one of them must have signed. `others`: further known keys
 * (witnesses); their signatures are checked when present, as Go's note.Open
 * checks every known key, but never stand in for the log's.
 */
export interface CheckpointKeys {
  log: readonly VerifierInput[];
  others?: readonly VerifierInput[];
}

export interface VerifyCheckpointOptions {
  /** When set, the checkpoint must be for exactly this log. */
  origin?: string;
}

function checkpointKeys(keys: VerifierInput | readonly VerifierInput[] | CheckpointKeys): { log: NoteVerifier[]; others: NoteVerifier[] } {
  const parse = (v: VerifierInput): NoteVerifier => (typeof v === 'string' ? parseVerifierKey(v) : v);
  if (typeof keys === 'string' || (typeof keys === 'object' && keys !== null && 'publicKeyRaw' in keys)) return { log: [parse(keys as VerifierInput)], others: [] };
  if (Array.isArray(keys)) {
    const [log, ...others] = keys as readonly VerifierInput[];
    return { log: log === undefined ? [] : [parse(log)], others: others.map(parse) };
  }
  const named = keys as CheckpointKeys;
  if (!Array.isArray(named.log)) throw new CryptoError('KEY_INVALID', 'checkpoint keys must name the log\'s keys: { log: [...] }');
  return { log: named.log.map(parse), others: (named.others ?? []).map(parse) };
}

/**
 * Verifies a signed checkpoint: the note parses strictly, every known key's
 * signature verifies, and at least one signature is by a key of the log
 * itself. Keys are given as `{ log, others }`, as one log key, or as a list
 * whose first key is the log's and the rest others, as Go's
 * transparency-dev `log.ParseCheckpoint(note, origin, logVerifier, others...)`
 * takes them: a note signed only by a witness is refused (NOTE_UNVERIFIED).
 */
export function verifyCheckpoint(signedNote: SignedNoteInput, keys: VerifierInput | readonly VerifierInput[] | CheckpointKeys, options: VerifyCheckpointOptions = {}): Checkpoint {
  const { log, others } = checkpointKeys(keys);
  if (log.length === 0) throw new CryptoError('KEY_INVALID', 'verifyCheckpoint needs at least one key of the log');
  const opened = openNote(signedNote, [...log, ...others]);
  const byLog = opened.sigs.some((sig) => log.some((v) => v.name === sig.name && v.keyHash === sig.keyHash));
  if (!byLog) {
    throw new CryptoError('NOTE_UNVERIFIED', `the checkpoint is not signed by the log's key (${log.map((v) => v.name).join(', ')}); signed by ${opened.sigs.map((s) => s.name).join(', ')}`);
  }
  const checkpoint = parseCheckpoint(opened.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw bad(`checkpoint is for log ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(options.origin)}`);
  }
  return checkpoint;
}
