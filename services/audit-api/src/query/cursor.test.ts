import { describe, expect, it } from 'vitest';
import { cursorBinding, decodeCursor, encodeCursor } from './cursor.js';

const key = { occurredAt: '2026-07-01 12:00:00.123456', contentHash: 'ab'.repeat(32) };

describe('cursor', () => {
  it('round-trips the sort key for the same tenant and query', () => {
    const binding = cursorBinding('acme', { model_id: 'm', order: 'desc', stage: undefined });
    expect(decodeCursor(encodeCursor(key, binding), binding)).toEqual(key);
    // Undefined filters do not change the binding; key order does not either.
    expect(cursorBinding('acme', { order: 'desc', model_id: 'm' })).toBe(binding);
  });

  it('is refused for another tenant, other filters or another order', () => {
    const binding = cursorBinding('acme', { model_id: 'm', order: 'desc' });
    const cursor = encodeCursor(key, binding);
    for (const other of [cursorBinding('globex', { model_id: 'm', order: 'desc' }), cursorBinding('acme', { model_id: 'n', order: 'desc' }), cursorBinding('acme', { model_id: 'm', order: 'asc' })]) {
      expect(() => decodeCursor(cursor, other)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', parameter: 'cursor' }));
    }
  });

  it('rejects malformed cursors with the parameter named', () => {
    const binding = cursorBinding('acme', {});
    const forged = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    for (const bad of ['', '***', 'e30', forged({ v: 1, o: "2026-07-01') OR 1=1", h: 'ab'.repeat(32), b: binding }), forged({ v: 1, o: key.occurredAt, h: 'zz', b: binding }), forged([1])]) {
      expect(() => decodeCursor(bad, binding)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', parameter: 'cursor' }));
    }
  });
});
