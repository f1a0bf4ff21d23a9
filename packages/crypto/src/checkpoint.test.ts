import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  formatCheckpoint,
  formatVerifierKey,
  generateSigningKey,
  merkleRoot,
  parseCheckpoint,
  parseSignedCheckpoint,
  signCheckpoint,
  signNote,
  toBase64,
  verifyCheckpoint,
} from './index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    return (err as CryptoError).code;
  }
  return undefined;
}

describe('tlog checkpoints', () => {
  const root = merkleRoot([new TextEncoder().encode('a'), new TextEncoder().encode('b')]);

  it('formats the C2SP body: origin, decimal size, base64 root, extension lines', () => {
    const body = formatCheckpoint({ origin: 'probity.example/log/t1', size: 2, rootHash: root, extensions: ['time 1700000000'] });
    expect(body).toBe(`probity.example/log/t1\n2\n${toBase64(root)}\ntime 1700000000\n`);
    expect(parseCheckpoint(body)).toEqual({ origin: 'probity.example/log/t1', size: 2, rootHash: root, extensions: ['time 1700000000'] });
    expect(formatCheckpoint({ origin: 'o', size: 0, rootHash: root })).toBe(`o\n0\n${toBase64(root)}\n`);
  });

  it('signs and verifies a checkpoint, pinning the origin when asked', () => {
    const key = generateSigningKey('probity.example/log/t1');
    const vkey = formatVerifierKey(key.name, key.publicKeyRaw);
    const signed = signCheckpoint({ origin: key.name, size: 2, rootHash: root }, key);
    const cp = verifyCheckpoint(signed, [vkey], { origin: key.name });
    expect(cp.size).toBe(2);
    expect(cp.rootHash).toEqual(root);
    expect(codeOf(() => verifyCheckpoint(signed, [vkey], { origin: 'other-log' }))).toBe('CHECKPOINT_MALFORMED');
    expect(codeOf(() => verifyCheckpoint(signed.replace('\n2\n', '\n3\n'), [vkey]))).toBe('SIGNATURE_INVALID');
  });

  it('parses a signed checkpoint strictly without its signatures: split at the last blank line, so no extension is dropped', () => {
    const key = generateSigningKey('probity.example/log/t1');
    const cp = { origin: key.name, size: 2, rootHash: root, extensions: ['ext 1'] };
    expect(parseSignedCheckpoint(signCheckpoint(cp, key))).toEqual(cp);
    // The body has an empty line before its extension: Go's parse refuses it; a first-blank-line split returned it without the extension.
    const blank = signNote(`${key.name}\n2\n${toBase64(root)}\n\next 1\n`, key);
    expect(codeOf(() => parseSignedCheckpoint(blank))).toBe('CHECKPOINT_MALFORMED');
    expect(codeOf(() => verifyCheckpoint(blank, [formatVerifierKey(key.name, key.publicKeyRaw)]))).toBe('CHECKPOINT_MALFORMED');
    expect(codeOf(() => parseSignedCheckpoint(formatCheckpoint(cp)))).toBe('NOTE_MALFORMED');
    expect(codeOf(() => parseSignedCheckpoint(`${formatCheckpoint(cp)}\n`))).toBe('NOTE_MALFORMED');
    expect(codeOf(() => parseSignedCheckpoint(signCheckpoint(cp, key).replace('\u2014 ', '- ')))).toBe('NOTE_MALFORMED');
  });

  it('requires a signature by the log\'s key: a witness signature alone is refused however the keys are given', () => {
    const log = generateSigningKey('probity.example/log/t1');
    const witness = generateSigningKey('witness.example/w1');
    const logKey = formatVerifierKey(log.name, log.publicKeyRaw);
    const witnessKey = formatVerifierKey(witness.name, witness.publicKeyRaw);
    const cp = { origin: log.name, size: 2, rootHash: root };
    const byWitness = signCheckpoint(cp, witness);
    const byBoth = signCheckpoint(cp, [log, witness]);
    // A list names the log's key first, then others (Go's log.ParseCheckpoint(note, origin, logVerifier, others...)).
    expect(codeOf(() => verifyCheckpoint(byWitness, [logKey, witnessKey], { origin: log.name }))).toBe('NOTE_UNVERIFIED');
    expect(codeOf(() => verifyCheckpoint(byWitness, { log: [logKey], others: [witnessKey] }))).toBe('NOTE_UNVERIFIED');
    expect(verifyCheckpoint(byBoth, [logKey, witnessKey], { origin: log.name }).size).toBe(2);
    expect(verifyCheckpoint(byBoth, logKey).size).toBe(2);
    // Several log keys (a rotation): any one of them suffices.
    const next = generateSigningKey('probity.example/log/t1-next');
    const nextKey = formatVerifierKey(next.name, next.publicKeyRaw);
    expect(verifyCheckpoint(signCheckpoint(cp, next), { log: [logKey, nextKey] }).size).toBe(2);
    expect(codeOf(() => verifyCheckpoint(signCheckpoint(cp, next), [logKey, nextKey]))).toBe('NOTE_UNVERIFIED');
    // A known witness's bad signature fails the note, as Go's note.Open fails it.
    const badWitness = byBoth.replace(/(\u2014 witness\.example\/w1 \S{8})\S/, (_m, head: string) => `${head}${head.endsWith('A') ? 'B' : 'A'}`);
    expect(codeOf(() => verifyCheckpoint(badWitness, [logKey, witnessKey]))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifyCheckpoint(byBoth, { log: [] }))).toBe('KEY_INVALID');
  });

  it.each([
    ['no final newline', 'o\n1\nAAAA'],
    ['empty origin', '\n1\n' + toBase64(new Uint8Array(32)) + '\n'],
    ['leading zero', 'o\n01\n' + toBase64(new Uint8Array(32)) + '\n'],
    ['negative size', 'o\n-1\n' + toBase64(new Uint8Array(32)) + '\n'],
    ['size beyond 2^53', 'o\n9007199254740993\n' + toBase64(new Uint8Array(32)) + '\n'],
    ['short root', 'o\n1\n' + toBase64(new Uint8Array(31)) + '\n'],
    ['no root', 'o\n1\n'],
    ['empty extension', 'o\n1\n' + toBase64(new Uint8Array(32)) + '\n\n'],
    ['empty line before an extension', 'o\n1\n' + toBase64(new Uint8Array(32)) + '\n\next\n'],
    ['unpadded root', 'o\n1\n' + toBase64(new Uint8Array(32)).replace(/=+$/, '') + '\n'],
    ['carriage return', 'o\n1\n' + toBase64(new Uint8Array(32)) + '\r\n'],
    ['longer than 1,000,000 bytes', 'o\n1\n' + toBase64(new Uint8Array(32)) + '\n' + 'x'.repeat(1_000_000) + '\n'],
  ])('rejects a malformed checkpoint body: %s', (_name, body) => {
    expect(codeOf(() => parseCheckpoint(body))).toBe('CHECKPOINT_MALFORMED');
  });

  it('refuses to format a checkpoint that could not be parsed back', () => {
    expect(codeOf(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root }))).toBe('CHECKPOINT_MALFORMED');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash: root }))).toBe('CHECKPOINT_MALFORMED');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: root.subarray(1) }))).toBe('CHECKPOINT_MALFORMED');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: root, extensions: [''] }))).toBe('CHECKPOINT_MALFORMED');
  });
});
