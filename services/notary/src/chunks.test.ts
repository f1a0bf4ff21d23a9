import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeRawPack } from '@probity/evidence';
import { chunksByBytes, chunksByRecords } from './chunks.js';

describe('chunksByBytes', () => {
  it('keeps order, stays under the limit, and gives an oversized item a run of its own', () => {
    const items = [3, 4, 2, 9, 1, 1];
    expect(chunksByBytes(items, (n) => n, 6)).toEqual([[3], [4, 2], [9], [1, 1]]);
    expect(chunksByBytes([], (n: number) => n, 6)).toEqual([]);
  });
});

describe('chunksByRecords', () => {
  it('counts a raw pack as the records it holds, whatever its header says; anything else as one', () => {
    const record = () => Buffer.concat([Buffer.from([0xc3, 0x01]), randomBytes(40)]);
    const pack = (n: number) => encodeRawPack(Array.from({ length: n }, () => ({ value: record(), headers: {} })));
    const m = (id: string, value: Buffer | null) => ({ id, value, headers: { 'probity-record-count': Buffer.from('1') } });
    const broken = pack(2).subarray(0, 30);
    const messages = [m('a', record()), m('pack-3', pack(3)), m('b', record()), m('pack-9', pack(9)), m('broken', broken), m('null', null), m('c', record())];
    expect(chunksByRecords(messages, 5).map((run) => run.map((x) => x.id))).toEqual([['a', 'pack-3', 'b'], ['pack-9'], ['broken', 'null', 'c']]);
  });
});
