import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  formatCheckpoint,
  formatVerifierKey,
  generateSigningKey,
  merkleRoot,
  parseCheckpoint,
  signCheckpoint,
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

  it.each([
    ['no final newline', 'o\n1\nAAAA'],
    ['empty origin', '\n1\n' + toBase64(new Uint8Array(32)) + '\n'],
    ['leading zero', 'o\n01\n' + toBase64(new Uint8Array(32)) + '\n'],
    ['negative size', 'o\n-1\n' + toBase64(new Uint8Array(32)) + '\n'],
    ['size beyond 2^53', 'o\n9007199254740993\n' + toBase64(new Uint8Array(32)) + '\n'],
    ['short root', 'o\n1\n' + toBase64(new Uint8Array(31)) + '\n'],
    ['no root', 'o\n1\n'],
    ['empty extension', 'o\n1\n' + toBase64(new Uint8Array(32)) + '\n\n'],
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
