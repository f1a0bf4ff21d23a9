import { describe, expect, it } from 'vitest';
import { encodePackHeader, encodePackIndex, PACK_HEADER_BYTES, parsePackIndex, readPackHeader } from './segment-format.js';

describe('segment format', () => {
  it('reads back the header it writes, and nothing where there is no whole header', () => {
    const header = encodePackHeader(1234, 56);
    expect(header).toHaveLength(PACK_HEADER_BYTES);
    expect(readPackHeader(Buffer.concat([Buffer.from('xx'), header]), 2)).toEqual({ dataLength: 1234, indexLength: 56 });
    expect(readPackHeader(header.subarray(0, 15), 0)).toBeNull();
    const otherVersion = Buffer.from(header);
    otherVersion.writeUInt32BE(2, 12);
    expect(readPackHeader(otherVersion, 0)).toBeNull();
    expect(readPackHeader(Buffer.alloc(16), 0)).toBeNull();
  });

  it('reads back the index it writes, empty or not', () => {
    const entries = [{ contentHash: 'cd'.repeat(32), offset: 16, length: 7 }];
    expect(parsePackIndex(encodePackIndex('shard-1-0-0', entries))).toEqual({ pack: 'shard-1-0-0', entries });
    expect(parsePackIndex(encodePackIndex('empty', []))).toEqual({ pack: 'empty', entries: [] });
  });

  it('parses an index and refuses anything else', () => {
    const hash = 'ab'.repeat(32);
    expect(parsePackIndex(Buffer.from(`pack shard-0-0-1\n${hash} 16 5\n${hash} 21 0\n`))).toEqual({
      pack: 'shard-0-0-1',
      entries: [
        { contentHash: hash, offset: 16, length: 5 },
        { contentHash: hash, offset: 21, length: 0 },
      ],
    });
    expect(parsePackIndex(Buffer.from(`pack p\n${hash} 16 5`))).toBeNull();
    expect(parsePackIndex(Buffer.from(`${hash} 16 5\n`))).toBeNull();
    expect(parsePackIndex(Buffer.from(`pack p\n${hash.toUpperCase()} 16 5\n`))).toBeNull();
    expect(parsePackIndex(Buffer.from(`pack p\n${hash} -1 5\n`))).toBeNull();
  });
});
