import { describe, expect, it } from 'vitest';
import { chunksByBytes, chunksByRecords } from './chunks.js';

describe('chunksByBytes', () => {
  it('keeps order, stays under the limit, and gives an oversized item a run of its own', () => {
    const items = [3, 4, 2, 9, 1, 1];
    expect(chunksByBytes(items, (n) => n, 6)).toEqual([[3], [4, 2], [9], [1, 1]]);
    expect(chunksByBytes([], (n: number) => n, 6)).toEqual([]);
  });
});

describe('chunksByRecords', () => {
  it('counts a raw pack as the records it announces, plain messages and nonsense counts as one', () => {
    const m = (id: string, count?: string) => ({ id, headers: count === undefined ? {} : { 'probity-record-count': Buffer.from(count) } });
    const messages = [m('a'), m('pack-3', '3'), m('b'), m('pack-9', '9'), m('junk', '-4'), m('nan', 'x'), m('c')];
    expect(chunksByRecords(messages, 5).map((run) => run.map((x) => x.id))).toEqual([['a', 'pack-3', 'b'], ['pack-9'], ['junk', 'nan', 'c']]);
  });
});
