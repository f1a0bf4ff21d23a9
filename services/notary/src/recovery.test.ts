import { describe, expect, it } from 'vitest';
import { NotaryError } from './errors.js';
import { decodeOffsetMetadata, encodeOffsetMetadata, groupStateIsLatest, latestCommittedState, type GroupCommittedState } from './recovery.js';

const root = (byte: number) => new Uint8Array(32).fill(byte);
const group = (nextOffset: bigint, signedEnd: bigint | null, size = 10): GroupCommittedState => ({ size, root: root(1), nextOffset, signedEnd });

describe('offset metadata', () => {
  it('round-trips the log state and the signed partition end', () => {
    const decoded = decodeOffsetMetadata(encodeOffsetMetadata({ size: 42, root: root(7), signedEnd: 12_345_678_901n }));
    expect(decoded).toEqual({ size: 42, root: root(7), signedEnd: 12_345_678_901n });
  });

  it('reads the v1 metadata of earlier notaries, which has no signed partition end', () => {
    expect(decodeOffsetMetadata(JSON.stringify({ v: 1, size: 3, root: '07'.repeat(32) }))).toEqual({ size: 3, root: root(7), signedEnd: null });
  });

  it('reads no metadata as an empty log', () => {
    expect(decodeOffsetMetadata(null)).toEqual({ size: 0, root: null, signedEnd: null });
  });

  it('rejects metadata it does not know, naming it', () => {
    for (const bad of [JSON.stringify({ v: 3, size: 1, root: '00' }), JSON.stringify({ v: 2, size: 1, root: '00', signedEnd: -1 }), JSON.stringify({ v: 2, size: 1, root: '00' })]) {
      expect(() => decodeOffsetMetadata(bad)).toThrow(NotaryError);
      expect(() => decodeOffsetMetadata(bad)).toThrow(/unrecognized offset metadata/);
    }
  });
});

describe('the latest committed state of a shard', () => {
  it('is the group offset when the signed partition has not grown since it was committed', () => {
    expect(groupStateIsLatest(group(100n, 57n), 57n)).toBe(true);
    expect(groupStateIsLatest(group(0n, null, 0), 0n)).toBe(true);
  });

  it('needs the signed tail when the partition grew, or the group offset does not say how far it was', () => {
    expect(groupStateIsLatest(group(100n, 57n), 60n)).toBe(false);
    expect(groupStateIsLatest(group(100n, null), 60n)).toBe(false);
  });

  it('takes the signed tail when its raw offset is later: a position commit was lost', () => {
    const state = latestCommittedState(group(100n, 57n), 60n, { size: 25, root: root(9), nextOffset: 130n });
    expect(state).toEqual({ size: 25, root: root(9), nextOffset: 130n, signedEnd: 60n });
  });

  it('keeps the group offset when it is later: the last transactions held only duplicates or DLQ messages', () => {
    const state = latestCommittedState(group(140n, 57n, 25), 60n, { size: 25, root: root(9), nextOffset: 130n });
    expect(state).toEqual({ size: 25, root: root(1), nextOffset: 140n, signedEnd: 60n });
  });

  it('keeps the group offset when the signed tail carries no state (written by an earlier notary) or there is none', () => {
    expect(latestCommittedState(group(140n, null), 60n, null)).toEqual({ size: 10, root: root(1), nextOffset: 140n, signedEnd: 60n });
  });
});
