import { describe, expect, it } from 'vitest';
import { columnsOf, decodeJsonEachRow, encodeJsonEachRow } from './ndjson.js';

describe('JSONEachRow codec', () => {
  it('round-trips rows, writing bigints as strings', () => {
    const buf = encodeJsonEachRow([{ a: 1, b: 'x\ny' }, { a: 2n ** 63n }]);
    expect(buf.toString()).toBe('{"a":1,"b":"x\\ny"}\n{"a":"9223372036854775808"}\n');
    expect(decodeJsonEachRow(buf.toString())).toEqual([{ a: 1, b: 'x\ny' }, { a: '9223372036854775808' }]);
    expect(decodeJsonEachRow('')).toEqual([]);
  });

  it('collects the union of keys in first-seen order', () => {
    expect(columnsOf([{ a: 1, b: 2 }, { c: 3, a: 4 }])).toEqual(['a', 'b', 'c']);
  });
});
