/**
 * A corpus of signed-note and checkpoint vectors, well formed and not, that
 * go-note-vectors.test.ts has both Go (test/interop/crypto/go) and
 * @probity/crypto judge. Built as bytes, because part of what is judged is
 * the UTF-8 itself; keys come from fixed seeds, so the corpus is the same on
 * every run.
 */
import { sign } from 'node:crypto';
import { formatVerifierKey, noteKeyHash, privateKeyFromSeed, signingKeyFromPrivateKey, toBase64, type SigningKey } from '@probity/crypto';

export interface NoteVector {
  name: string;
  bytes: Uint8Array;
}

const key = (name: string, seedByte: number): SigningKey => signingKeyFromPrivateKey(name, privateKeyFromSeed(new Uint8Array(32).fill(seedByte)));

/** The log's key, a witness (known to the verifier, never enough alone) and a stranger (unknown). */
export const LOG = key('probity.example/log/shard/0', 1);
export const WITNESS = key('witness.example/w1', 2);
export const STRANGER = key('stranger.example', 3);
export const logVerifierKey = formatVerifierKey(LOG.name, LOG.publicKeyRaw);
export const witnessVerifierKey = formatVerifierKey(WITNESS.name, WITNESS.publicKeyRaw);

const ORIGIN = LOG.name;
const ROOT = toBase64(new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff));
const BODY = `${ORIGIN}\n42\n${ROOT}\n`;
const concatBytes = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const bytesOf = (...parts: (string | Uint8Array | number[])[]): Uint8Array =>
  concatBytes(...parts.map((p) => (typeof p === 'string' ? enc(p) : p instanceof Uint8Array ? p : Uint8Array.from(p))));

/** The raw key hash and signature blob of a signature line, signing exactly these text bytes. */
function blob(text: Uint8Array, k: SigningKey): Uint8Array {
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, noteKeyHash(k.name, k.publicKeyRaw));
  return concatBytes(prefix, sign(null, text, k.privateKey));
}

/** `— name base64\n`, signing the text bytes (whatever they hold: the corpus signs malformed texts too). */
function line(text: Uint8Array, k: SigningKey, edit: (b64: string) => string = (b) => b): string {
  return `\u2014 ${k.name} ${edit(toBase64(blob(text, k)))}\n`;
}

/** A note of these text bytes signed by these keys. */
function note(text: string | Uint8Array, ...keys: SigningKey[]): Uint8Array {
  const t = typeof text === 'string' ? enc(text) : text;
  return bytesOf(t, '\n', keys.map((k) => line(t, k)).join(''));
}

/** Base64 with the unused trailing bits of the last character set: Go's StdEncoding ignores them. */
function dirtyTrailingBits(b64: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const at = b64.replace(/=+$/, '').length - 1;
  return b64.slice(0, at) + alphabet[alphabet.indexOf(b64[at]!) | 1] + b64.slice(at + 1);
}

function flipSignatureByte(b64: string): string {
  const raw = Buffer.from(b64, 'base64');
  raw[10]! ^= 1;
  return raw.toString('base64');
}

/** Base64url of bytes whose standard base64 has a '+' or '/', so the two spellings differ. */
function urlSafe(bytes: Uint8Array): string {
  const std = toBase64(bytes);
  if (!/[+/]/.test(std)) throw new Error('vector needs bytes whose base64 has + or /');
  return std.replace(/\+/g, '-').replace(/\//g, '_');
}

function body(size: string, root = ROOT, origin = ORIGIN, extensions = ''): string {
  return `${origin}\n${size}\n${root}\n${extensions}`;
}

export function noteVectors(): NoteVector[] {
  const t = enc(BODY);
  const v: [string, Uint8Array][] = [
    // Well formed, signed by the log.
    ['plain checkpoint', note(BODY, LOG)],
    ['with extension lines', note(body('42', ROOT, ORIGIN, 'ext a\nanother extension \u00e9\n'), LOG)],
    ['size 0', note(body('0'), LOG)],
    ['size 2^53 - 1', note(body('9007199254740991'), LOG)],
    ['log and witness', note(BODY, LOG, WITNESS)],
    ['witness then log', note(BODY, WITNESS, LOG)],
    ['log and a stranger', note(BODY, LOG, STRANGER)],
    ['log line twice', bytesOf(t, '\n', line(t, LOG), line(t, LOG))],
    ['log line, then a bad second log line (Go checks a key once)', bytesOf(t, '\n', line(t, LOG), line(t, LOG, flipSignatureByte))],
    ['100 signature lines', bytesOf(t, '\n', line(t, LOG), line(t, STRANGER).repeat(99))],
    ['origin with spaces and Unicode', note(body('42', ROOT, 'log \u00e9x/\u2603 1'), LOG)],
    ['leading byte-order mark in the origin', note(`\ufeff${BODY}`, LOG)],
    ['literal U+FFFD in an extension', note(body('42', ROOT, ORIGIN, '\ufffd\n'), LOG)],
    ['DEL and C1 control characters in an extension', note(body('42', ROOT, ORIGIN, 'a\u007f\u0085\n'), LOG)],
    ['log signature base64 with unused trailing bits set', bytesOf(t, '\n', line(t, LOG, dirtyTrailingBits))],
    ['root base64 with unused trailing bits set', note(body('42', dirtyTrailingBits(ROOT)), LOG)],
    // Well formed notes that do not verify.
    ['signed by the witness only', note(BODY, WITNESS)],
    ['signed by a stranger only', note(BODY, STRANGER)],
    ['bad log signature', bytesOf(t, '\n', line(t, LOG, flipSignatureByte))],
    ['bad witness signature beside a good log one', bytesOf(t, '\n', line(t, LOG), line(t, WITNESS, flipSignatureByte))],
    ['bad log line, then a good one', bytesOf(t, '\n', line(t, LOG, flipSignatureByte), line(t, LOG))],
    ['log name with a stranger key hash', bytesOf(t, '\n', `\u2014 ${LOG.name} ${toBase64(blob(t, STRANGER))}\n`)],
    ['log signature cut to 63 bytes', bytesOf(t, '\n', `\u2014 ${LOG.name} ${toBase64(blob(t, LOG).subarray(0, 67))}\n`)],
    ['log signature of 65 bytes', bytesOf(t, '\n', `\u2014 ${LOG.name} ${toBase64(concatBytes(blob(t, LOG), new Uint8Array(1)))}\n`)],
    ['text changed after signing', bytesOf(enc(body('43')), '\n', line(t, LOG))],
    // Malformed notes.
    ['no signatures', t],
    ['no final newline', note(BODY, LOG).subarray(0, -1)],
    ['no blank line before the signatures', bytesOf(t, line(t, LOG))],
    ['blank line after the signatures', bytesOf(note(BODY, LOG), '\n')],
    ['empty signature block', bytesOf(t, '\n')],
    ['101 signature lines', bytesOf(t, '\n', line(t, LOG), line(t, STRANGER).repeat(100))],
    ['hyphens instead of the em dash', bytesOf(t, '\n', line(t, LOG).replace('\u2014', '--'))],
    ['em dash without its space', bytesOf(t, '\n', line(t, LOG).replace('\u2014 ', '\u2014'))],
    ['empty key name', bytesOf(t, '\n', `\u2014  ${toBase64(blob(t, LOG))}\n`)],
    ['key name with a plus', bytesOf(t, '\n', `\u2014 a+b ${toBase64(blob(t, LOG))}\n`)],
    ['key name with a no-break space', bytesOf(t, '\n', `\u2014 a\u00a0b ${toBase64(blob(t, LOG))}\n`)],
    ['no base64 after the name', bytesOf(t, '\n', `\u2014 ${LOG.name}\n`)],
    ['empty base64', bytesOf(t, '\n', `\u2014 ${LOG.name} \n`)],
    ['base64 of 4 bytes', bytesOf(t, '\n', `\u2014 ${LOG.name} AAAAAA==\n`)],
    ['base64 without padding', bytesOf(t, '\n', line(t, LOG, (b) => b.replace(/=+$/, '')))],
    ['URL-safe base64', bytesOf(t, '\n', `\u2014 ${LOG.name} ${urlSafe(blob(t, LOG))}\n`)],
    ['trailing space after the base64', bytesOf(t, '\n', line(t, LOG).replace(/\n$/, ' \n'))],
    ['tab in the text', note(body('42', ROOT, ORIGIN, 'a\tb\n'), LOG)],
    ['carriage returns in the text', note(BODY.replace(/\n/g, '\r\n'), LOG)],
    ['NUL in the text', note(body('42', ROOT, ORIGIN, 'a\u0000\n'), LOG)],
    ['invalid UTF-8 byte 0xff', note(bytesOf(t, 'x', [0xff], '\n'), LOG)],
    ['overlong UTF-8', note(bytesOf(t, 'x', [0xc0, 0xaf], '\n'), LOG)],
    ['UTF-8-encoded surrogate', note(bytesOf(t, 'x', [0xed, 0xa0, 0x80], '\n'), LOG)],
    ['truncated UTF-8', note(bytesOf(t, 'x', [0xe2, 0x82], '\n'), LOG)],
    // Well-formed notes whose text is not a checkpoint.
    ['empty line before an extension line', note(body('42', ROOT, ORIGIN, '\nextension\n'), LOG)],
    ['empty line between origin and size', note(`${ORIGIN}\n\n42\n${ROOT}\n`, LOG)],
    ['empty last extension line', note(`${BODY}\n`, LOG)],
    ['empty origin', note(body('42', ROOT, ''), LOG)],
    ['only origin and size', note(`${ORIGIN}\n42\n`, LOG)],
    ['only an origin', note(`${ORIGIN}\n`, LOG)],
    ['size with a leading zero', note(body('042'), LOG)],
    ['size 00', note(body('00'), LOG)],
    ['size with a plus sign', note(body('+42'), LOG)],
    ['negative size', note(body('-42'), LOG)],
    ['size -0', note(body('-0'), LOG)],
    ['size with a leading space', note(body(' 42'), LOG)],
    ['size with a trailing space', note(body('42 '), LOG)],
    ['hexadecimal size', note(body('0x2a'), LOG)],
    ['empty size', note(body(''), LOG)],
    ['size 2^63', note(body('9223372036854775808'), LOG)],
    ['size 2^64', note(body('18446744073709551616'), LOG)],
    ['root of 31 bytes', note(body('42', toBase64(new Uint8Array(31).fill(7))), LOG)],
    ['root of 33 bytes', note(body('42', toBase64(new Uint8Array(33).fill(7))), LOG)],
    ['root without padding', note(body('42', ROOT.replace(/=+$/, '')), LOG)],
    ['root in URL-safe base64', note(body('42', toBase64(new Uint8Array(32).fill(0xfb)).replace(/\+/g, '-').replace(/\//g, '_')), LOG)],
    ['root with a trailing space', note(body('42', `${ROOT} `), LOG)],
    ['root in hex', note(body('42', Buffer.from(ROOT, 'base64').toString('hex')), LOG)],
    ['empty root', note(body('42', ''), LOG)],
    ['checkpoint text over 1,000,000 bytes', note(body('42', ROOT, ORIGIN, `${'x'.repeat(1_000_000)}\n`), LOG)],
    // Accepted by Go, refused by us on purpose (see KNOWN_DIVERGENCES).
    ['size 2^53', note(body('9007199254740992'), LOG)],
    ['size 2^63 - 1', note(body('9223372036854775807'), LOG)],
  ];
  const names = new Set(v.map(([name]) => name));
  if (names.size !== v.length) throw new Error('duplicate vector names');
  return v.map(([name, bytes]) => ({ name, bytes }));
}

/**
 * Where we deliberately differ from Go: sizes above 2^53 - 1 do not fit a
 * JavaScript number, so we refuse the checkpoint (Go reads up to 2^63 - 1).
 */
export const KNOWN_DIVERGENCES = ['size 2^53', 'size 2^63 - 1'] as const;
