import { describe, expect, it } from 'vitest';
import { CryptoError, fromBase64, fromHex, sha256, sha256Hex, toBase64, toHex } from './index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    return (err as CryptoError).code;
  }
  return undefined;
}

describe('hashing and encodings', () => {
  it('hashes with SHA-256 (FIPS 180-2 "abc" vector)', () => {
    expect(sha256Hex(utf8('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256(utf8('abc'))).toBeInstanceOf(Uint8Array);
  });

  it('round-trips hex and base64 for every length up to 40', () => {
    for (let n = 0; n <= 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(fromHex(toHex(bytes))).toEqual(bytes);
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    }
    expect(fromHex('DEADbeef')).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
  });

  it.each(['0', 'abc', 'zz', '0x00', 'ab cd', ' ab'])('rejects malformed hex %j', (text) => {
    expect(codeOf(() => fromHex(text))).toBe('ENCODING_INVALID');
  });

  it.each(['a', 'ab', 'abc', 'ab=c', 'ab c=', 'a-b_', 'YQ', 'YR==', 'YWI', 'YWJ=', 'YQ==\n', '====', 'Y==='])('rejects malformed or non-canonical base64 %j', (text) => {
    expect(codeOf(() => fromBase64(text))).toBe('ENCODING_INVALID');
  });

  it('accepts canonical base64', () => {
    expect(fromBase64('YQ==')).toEqual(utf8('a'));
    expect(fromBase64('YWI=')).toEqual(utf8('ab'));
    expect(fromBase64('')).toEqual(new Uint8Array(0));
  });
});
