import { describe, expect, it } from 'vitest';
import { packRequest, unpackRequest } from './inspect-wire.js';

describe('inspect requests', () => {
  it('carry every message, empty and null ones included, in one transferable buffer', () => {
    const messages = [
      { value: Buffer.from('first'), tenantHeader: 'acme', emitterSignaturesHeader: undefined, emitterBatchHeader: undefined },
      { value: null, tenantHeader: undefined, emitterSignaturesHeader: '[]', emitterBatchHeader: undefined },
      { value: Buffer.alloc(0), tenantHeader: undefined, emitterSignaturesHeader: undefined, emitterBatchHeader: '{"index":0}' },
      { value: Buffer.from('last'), tenantHeader: undefined, emitterSignaturesHeader: '[{"keyid":"k","sig":"s"}]', emitterBatchHeader: undefined },
    ];
    const { request, transfer } = packRequest(7, messages, new Date(1_000));
    expect(transfer).toEqual([request.buffer]);
    expect(request.buffer.byteLength).toBe(9);
    expect(request).toMatchObject({ id: 7, nowMs: 1_000, lengths: [5, -1, 0, 4] });
    expect(unpackRequest(structuredClone(request))).toEqual(messages);
  });
});
