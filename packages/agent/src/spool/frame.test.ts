import { describe, expect, it } from 'vitest';
import { encodeFrame, readFrame, type SpooledMessage } from './frame.js';

const message: SpooledMessage = {
  key: 'ab'.repeat(32),
  value: Buffer.from([0xc3, 0x01, 1, 2, 3, 0, 255]),
  headers: { 'probity-tenant': 'acme', 'probity-content-hash': 'ab'.repeat(32), 'probity-emitter-envelope': '[{"keyid":"k","sig":"é"}]' },
};

describe('spool frames', () => {
  it('round-trips key, headers and value bytes', () => {
    const frame = encodeFrame(message);
    const result = readFrame(frame, 0);
    expect(result).toEqual({ kind: 'frame', message, bytes: frame.length });
  });

  it('reads frames back to back and asks for more bytes at a cut', () => {
    const second = { ...message, key: 'second', headers: {} };
    const both = Buffer.concat([encodeFrame(message), encodeFrame(second)]);
    const first = readFrame(both, 0);
    expect(first.kind).toBe('frame');
    const next = readFrame(both, (first as { bytes: number }).bytes);
    expect(next).toMatchObject({ kind: 'frame', message: second });
    expect(readFrame(both.subarray(0, both.length - 3), (first as { bytes: number }).bytes)).toEqual({ kind: 'incomplete', needBytes: encodeFrame(second).length });
  });

  it('reports a flipped byte as corrupt (CRC)', () => {
    const frame = encodeFrame(message);
    frame.writeUInt8(frame.readUInt8(frame.length - 1) ^ 0x01, frame.length - 1);
    expect(readFrame(frame, 0)).toEqual({ kind: 'corrupt', reason: 'CRC mismatch' });
  });

  it('reports a zero-filled tail as corrupt, not as an empty record', () => {
    expect(readFrame(Buffer.alloc(64), 0)).toMatchObject({ kind: 'corrupt' });
  });
});
