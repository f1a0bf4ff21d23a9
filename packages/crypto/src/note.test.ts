import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  formatSignerKey,
  formatVerifierKey,
  generateSigningKey,
  noteKeyHash,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './index.js';

// Published vector from Go's golang.org/x/mod/sumdb/note tests.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIGNED = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    return (err as CryptoError).code;
  }
  return undefined;
}

describe('C2SP signed notes', () => {
  it('reproduces Go note.Sign byte for byte from Go\'s published key', () => {
    const signer = parseSignerKey(GO_SKEY);
    expect(signer.keyHash).toBe(0xc74f20a3);
    expect(formatVerifierKey(signer.name, signer.publicKeyRaw)).toBe(GO_VKEY);
    expect(formatSignerKey(signer.name, signer.privateKey)).toBe(GO_SKEY);
    expect(signNote(GO_TEXT, signer)).toBe(GO_SIGNED);
  });

  it('opens Go\'s signed note with the Go verifier key', () => {
    const opened = openNote(GO_SIGNED, [GO_VKEY]);
    expect(opened.text).toBe(GO_TEXT);
    expect(opened.sigs).toEqual([{ name: 'PeterNeumann', keyHash: 0xc74f20a3, base64: expect.any(String) }]);
    expect(opened.unverifiedSigs).toEqual([]);
  });

  it('round-trips a note signed by two keys and keeps unknown signatures as unverified', () => {
    const a = generateSigningKey('log.example/a');
    const b = generateSigningKey('witness.example');
    const signed = signNote('hello\nworld\n', [a, b]);
    expect(signed.split('\n— ')).toHaveLength(3);
    const opened = openNote(signed, [formatVerifierKey(a.name, a.publicKeyRaw)]);
    expect(opened.text).toBe('hello\nworld\n');
    expect(opened.sigs.map((s) => s.name)).toEqual([a.name]);
    expect(opened.unverifiedSigs.map((s) => s.name)).toEqual([b.name]);
    const both = openNote(signed, [parseVerifierKey(formatVerifierKey(a.name, a.publicKeyRaw)), formatVerifierKey(b.name, b.publicKeyRaw)]);
    expect(both.sigs.map((s) => s.keyHash)).toEqual([noteKeyHash(a.name, a.publicKeyRaw), noteKeyHash(b.name, b.publicKeyRaw)]);
  });

  it('rejects tampered text, unknown signers and malformed notes with typed errors', () => {
    expect(codeOf(() => openNote(GO_SIGNED.replace('answer', 'Answer'), [GO_VKEY]))).toBe('SIGNATURE_INVALID');
    const stranger = generateSigningKey('PeterNeumann');
    expect(codeOf(() => openNote(GO_SIGNED, [formatVerifierKey(stranger.name, stranger.publicKeyRaw)]))).toBe('NOTE_UNVERIFIED');
    expect(codeOf(() => openNote(GO_SIGNED, []))).toBe('NOTE_UNVERIFIED');
    const malformed = [
      GO_TEXT, // no signatures
      GO_SIGNED.slice(0, -1), // no final newline
      GO_SIGNED.replace('— ', '- '), // wrong dash
      GO_SIGNED.replace('— PeterNeumann ', '— Peter Neumann '), // space in name
      GO_SIGNED.replace('x08go/', 'x08go!'), // not base64
      `${GO_TEXT}\n— PeterNeumann AAAA\n`, // too short to hold a key hash and signature
      GO_SIGNED.replace('problem,', 'problem,\u0007'), // control character
    ];
    for (const note of malformed) expect(codeOf(() => openNote(note, [GO_VKEY]))).toBe('NOTE_MALFORMED');
    expect(codeOf(() => signNote('no trailing newline', parseSignerKey(GO_SKEY)))).toBe('NOTE_MALFORMED');
  });

  it('parses a note structurally as Go does: last blank line, at most 100 signatures, UTF-8 bytes checked', () => {
    const parsed = parseNote(`a\n\nb\n${GO_SIGNED.slice(GO_TEXT.length)}`);
    expect(parsed.text).toBe('a\n\nb\n');
    expect(parsed.signatures.map((s) => [s.name, s.keyHash, s.signature.byteLength])).toEqual([['PeterNeumann', 0xc74f20a3, 64]]);
    const line = GO_SIGNED.slice(GO_TEXT.length + 1);
    expect(parseNote(`${GO_TEXT}\n${line.repeat(100)}`).signatures).toHaveLength(100);
    expect(codeOf(() => parseNote(`${GO_TEXT}\n${line.repeat(101)}`))).toBe('NOTE_MALFORMED');
    // Repeated lines count once, as in Go.
    expect(openNote(`${GO_TEXT}\n${line.repeat(3)}`, [GO_VKEY]).sigs).toHaveLength(1);
    const bytes = Buffer.from(GO_SIGNED, 'utf8');
    expect(openNote(bytes, [GO_VKEY]).text).toBe(GO_TEXT);
    expect(codeOf(() => parseNote(Buffer.concat([Buffer.from([0xff]), bytes])))).toBe('NOTE_MALFORMED');
    expect(codeOf(() => parseNote(`${GO_TEXT}\n${line}\n`))).toBe('NOTE_MALFORMED'); // blank line after the signatures
    expect(codeOf(() => parseNote(`${GO_TEXT}\n\u2014 PeterNeumann \n`))).toBe('NOTE_MALFORMED'); // empty signature
  });

  it('parses and rejects verifier and signer keys as Go does', () => {
    const v = parseVerifierKey(GO_VKEY);
    expect(v.name).toBe('PeterNeumann');
    expect(v.keyHash).toBe(0xc74f20a3);
    const bad = [
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // wrong hash
      'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==', // wrong length
      'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // unknown algorithm
      'PeterNeumann+c74f20a3', // no key
      'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // space
      'PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // short hash
    ];
    for (const vkey of bad) expect(codeOf(() => parseVerifierKey(vkey))).toBe('KEY_INVALID');
    expect(codeOf(() => parseSignerKey(GO_SKEY.replace('c74f20a3', 'c74f20a4')))).toBe('KEY_INVALID');
    expect(codeOf(() => parseSignerKey(GO_VKEY))).toBe('KEY_INVALID');
    expect(codeOf(() => formatVerifierKey('a+b', v.publicKeyRaw))).toBe('KEY_INVALID');
  });
});
