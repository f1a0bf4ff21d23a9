import { describe, expect, it } from 'vitest';
import { chunksByBytes } from './chunks.js';

describe('chunksByBytes', () => {
  it('keeps order, stays under the limit, and gives an oversized item a run of its own', () => {
    const items = [3, 4, 2, 9, 1, 1];
    expect(chunksByBytes(items, (n) => n, 6)).toEqual([[3], [4, 2], [9], [1, 1]]);
    expect(chunksByBytes([], (n: number) => n, 6)).toEqual([]);
  });
});
