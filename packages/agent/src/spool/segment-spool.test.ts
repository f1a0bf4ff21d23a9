import { mkdtemp, readdir, rm, stat, truncate, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SegmentSpool } from './segment-spool.js';
import type { SpooledMessage } from './frame.js';

const msg = (i: number, size = 40): SpooledMessage => ({ key: `k${i}`, value: Buffer.alloc(size, i % 256), headers: { 'probity-tenant': 't', n: String(i) } });
const limits = { maxMessages: 10_000, maxBytes: 1024 * 1024 };

async function readAll(spool: SegmentSpool) {
  const out: SpooledMessage[] = [];
  let cursor = spool.start;
  for (;;) {
    const { messages, next } = await spool.read(cursor, limits);
    if (messages.length === 0) return { messages: out, cursor: next };
    out.push(...messages);
    cursor = next;
  }
}

const segmentFiles = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.spool') && n.startsWith('seg-')).sort();

describe('SegmentSpool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'probity-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what was appended, in order, across reopen', async () => {
    const spool = await SegmentSpool.open(dir);
    expect(spool.isEmpty()).toBe(true);
    await spool.append([msg(1), msg(2)]);
    await spool.append([msg(3)]);
    expect((await readAll(spool)).messages.map((m) => m.key)).toEqual(['k1', 'k2', 'k3']);
    await spool.close();

    const again = await SegmentSpool.open(dir);
    expect(again.isEmpty()).toBe(false);
    const { messages } = await readAll(again);
    expect(messages).toEqual([msg(1), msg(2), msg(3)]);
    await again.close();
  });

  it('ignores a torn tail and appends after it into a new segment', async () => {
    const spool = await SegmentSpool.open(dir);
    await spool.append([msg(1), msg(2), msg(3)]);
    await spool.close();
    const [segment] = await segmentFiles(dir);
    const file = path.join(dir, segment!);
    // kill -9 in the middle of the third record's write
    await truncate(file, (await stat(file)).size - 10);

    const reopened = await SegmentSpool.open(dir);
    await reopened.append([msg(4)]);
    const { messages } = await readAll(reopened);
    expect(messages.map((m) => m.key)).toEqual(['k1', 'k2', 'k4']);
    expect(reopened.stats().corruptFrames).toBe(1);
    expect(await segmentFiles(dir)).toHaveLength(2);
    await reopened.close();
  });

  it('ignores garbage appended after the last whole frame', async () => {
    const spool = await SegmentSpool.open(dir);
    await spool.append([msg(1)]);
    await spool.close();
    const [segment] = await segmentFiles(dir);
    await appendFile(path.join(dir, segment!), Buffer.from([0, 0, 0, 60, 1, 2, 3, 4, 1, 0]));
    const reopened = await SegmentSpool.open(dir);
    expect((await readAll(reopened)).messages.map((m) => m.key)).toEqual(['k1']);
    await reopened.close();
  });

  it('rotates segments and deletes a segment only once everything in it is acked', async () => {
    const spool = await SegmentSpool.open(dir, { segmentBytes: 500 });
    for (let i = 0; i < 10; i++) await spool.append([msg(i, 100), msg(i + 100, 100)]);
    const files = await segmentFiles(dir);
    expect(files.length).toBeGreaterThan(3);

    // Read one message: its segment is not done yet, so nothing may be deleted.
    const first = await spool.read(spool.start, { maxMessages: 1, maxBytes: 1 << 20 });
    await spool.ack(first.next);
    expect(await segmentFiles(dir)).toEqual(files);

    // Read and ack the rest of the first segment plus one more message: the first segment goes.
    let cursor = first.next;
    let consumed = 1;
    for (;;) {
      const step = await spool.read(cursor, { maxMessages: 1, maxBytes: 1 << 20 });
      cursor = step.next;
      consumed += step.messages.length;
      if (step.next.segment !== first.next.segment) break;
    }
    await spool.ack(cursor);
    expect(await segmentFiles(dir)).toEqual(files.slice(1));

    // A restart resumes after the acked cursor, not from the beginning.
    await spool.close();
    const reopened = await SegmentSpool.open(dir, { segmentBytes: 500 });
    const rest = await readAll(reopened);
    expect(rest.messages.length).toBe(20 - consumed);
    expect(rest.messages[0]!.key).toBe(`k${consumed % 2 === 0 ? consumed / 2 : 100 + (consumed - 1) / 2}`);
    expect(reopened.isCaughtUp(rest.cursor)).toBe(true);
    await reopened.clear(rest.cursor);
    expect(await segmentFiles(dir)).toEqual([]);
    expect(reopened.isEmpty()).toBe(true);
    await reopened.close();
  });

  it('reads a frame larger than the read limit', async () => {
    const spool = await SegmentSpool.open(dir);
    await spool.append([msg(1, 5000), msg(2, 10)]);
    const first = await spool.read(spool.start, { maxMessages: 100, maxBytes: 100 });
    expect(first.messages.map((m) => m.value.length)).toEqual([5000]);
    const second = await spool.read(first.next, { maxMessages: 100, maxBytes: 100 });
    expect(second.messages.map((m) => m.key)).toEqual(['k2']);
    await spool.close();
  });

  it('refuses a second live owner and takes over the lock of a dead one', async () => {
    const spool = await SegmentSpool.open(dir);
    await expect(SegmentSpool.open(dir)).rejects.toMatchObject({ code: 'SPOOL_FAILED' });
    await spool.close();
    // A SIGKILLed owner leaves its lock behind; pid 2^22+1 is above Linux's pid_max default range and not alive.
    await writeFile(path.join(dir, 'lock'), String(4194305));
    const next = await SegmentSpool.open(dir);
    await next.close();
  });
});
