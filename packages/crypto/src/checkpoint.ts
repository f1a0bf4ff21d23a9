/**
 * tlog checkpoints (https://c2sp.org/tlog-checkpoint): the signed note body
 *
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n]*
 */
import { fromBase64, toBase64 } from './encoding.js';
import { CryptoError } from './errors.js';
import { HASH_SIZE } from './merkle.js';
import { openNote, signNote, type NoteSigner, type NoteVerifier } from './note.js';

export interface Checkpoint {
  /** Unique log identity, e.g. "probity.example/log/tenant-a/0". */
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: string[];
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

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

export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw bad('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || origin === '') throw bad('checkpoint origin line is empty');
  if (sizeText === undefined || !DECIMAL.test(sizeText)) throw bad('checkpoint size is not a decimal number without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw bad(`checkpoint size ${sizeText} exceeds 2^53 - 1`);
  if (rootText === undefined) throw bad('checkpoint has no root hash line');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(rootText);
  } catch {
    throw bad('checkpoint root hash is not base64');
  }
  if (rootHash.byteLength !== HASH_SIZE) throw bad(`checkpoint root hash is ${rootHash.byteLength} bytes, expected ${HASH_SIZE}`);
  if (extensions.some((l) => l === '')) throw bad('checkpoint extension lines must not be empty');
  return { origin, size, rootHash, extensions };
}

/**
 * The checkpoint a signed note carries, parsed without checking its
 * signatures: for notes whose root is checked some other way (a signed batch
 * whose leaves must hash to it) or is only being stored. Verifiers use
 * `verifyCheckpoint`.
 */
export function checkpointOfSignedNote(signedNote: string): Checkpoint {
  return parseCheckpoint(signedNote.slice(0, signedNote.indexOf('\n\n') + 1));
}

export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner | readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signer);
}

export interface VerifyCheckpointOptions {
  /** When set, the checkpoint must be for exactly this log. */
  origin?: string;
}

export function verifyCheckpoint(signedNote: string, verifierKeys: readonly (NoteVerifier | string)[], options: VerifyCheckpointOptions = {}): Checkpoint {
  const { text } = openNote(signedNote, verifierKeys);
  const checkpoint = parseCheckpoint(text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw bad(`checkpoint is for log ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(options.origin)}`);
  }
  return checkpoint;
}
