import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HashSet32 } from './hash-set.js';

const h = (i: number) => createHash('sha256').update(String(i)).digest();

describe('HashSet32', () => {
  it('adds, finds and refuses duplicates across growth', () => {
    const set = new HashSet32(16);
    for (let i = 0; i < 5000; i += 1) expect(set.add(h(i))).toBe(true);
    expect(set.size).toBe(5000);
    for (let i = 0; i < 5000; i += 1) expect(set.add(h(i))).toBe(false);
    for (let i = 0; i < 5000; i += 1) expect(set.has(h(i))).toBe(true);
    for (let i = 5000; i < 6000; i += 1) expect(set.has(h(i))).toBe(false);
    expect(set.size).toBe(5000);
  });

  it('clears and rejects malformed hashes', () => {
    const set = new HashSet32();
    set.add(h(1));
    set.clear();
    expect(set.has(h(1))).toBe(false);
    expect(() => set.add(Buffer.alloc(31, 1))).toThrow(RangeError);
    expect(() => set.add(Buffer.alloc(32))).toThrow(RangeError);
  });
});
