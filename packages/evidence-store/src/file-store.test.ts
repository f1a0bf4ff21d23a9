import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEvidenceStore } from './index.js';

const object = (text: string) => {
  const bytes = Buffer.from(text);
  return { contentHash: createHash('sha256').update(bytes).digest('hex'), bytes };
};

const segmentFile = (root: string, name: string) => path.join(root, 'packs', `${name}.pack`);

describe('FileEvidenceStore', () => {
  it('writes a pack and reads each object back verified', async () => {
    const store = new FileEvidenceStore(await mkdtemp(path.join(tmpdir(), 'cas-')));
    const objects = [object('alpha'), object('beta'), object('')];
    const locations = await store.putPack('0-0-3', objects);
    for (const [i, loc] of locations.entries()) {
      expect(Buffer.from(await store.get(loc, objects[i]!.contentHash)).toString()).toBe(['alpha', 'beta', ''][i]);
    }
    expect(await store.verifySegment(locations[0]!.pack)).toEqual({ packs: 1, objects: 3, corrupt: [], tornTailBytes: 0, damaged: [] });
  });

  it('appends packs to one segment per process; another store (a restarted process) starts its own', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root);
    // Concurrent puts (the notary's shards) get disjoint ranges of the same segment.
    const [a, b, c] = await Promise.all([store.putPack('a', [object('1'), object('2')]), store.putPack('b', [object('3')]), store.putPack('c', [object('4')])]);
    expect(new Set([...a!, ...b!, ...c!].map((l) => l.pack)).size).toBe(1);
    const ranges = [...a!, ...b!, ...c!].map((l) => [l.offset, l.offset + l.length] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    expect(await store.verifySegment(a![0]!.pack)).toMatchObject({ packs: 3, objects: 4, corrupt: [] });
    const [later] = await new FileEvidenceStore(root).putPack('d', [object('5')]);
    expect(later!.pack).not.toBe(a![0]!.pack);
    expect(Buffer.from(await store.get(later!, object('5').contentHash)).toString()).toBe('5');
    expect(await readdir(path.join(root, 'packs'))).toHaveLength(2);
  });

  it('is write-once: a retried pack with the same contents is not written again, different contents are refused', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root);
    const first = await store.putPack('p', [object('a')]);
    const size = (await stat(segmentFile(root, first[0]!.pack))).size;
    await expect(store.putPack('p', [object('a')])).resolves.toEqual(first);
    expect((await stat(segmentFile(root, first[0]!.pack))).size).toBe(size);
    await expect(store.putPack('p', [object('b')])).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
  });

  it('writePack: locations at once, durable once synced; a re-put while it syncs shares the same sync', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root);
    const written = store.writePack('w', [object('early'), object('late')]);
    const again = store.writePack('w', [object('early'), object('late')]);
    expect(again.locations).toEqual(written.locations);
    expect(again.durable).toBe(written.durable);
    await written.durable;
    expect(Buffer.from(await store.get(written.locations[1]!, object('late').contentHash)).toString()).toBe('late');
    await expect(store.putPack('w', [object('early'), object('late')])).resolves.toEqual(written.locations);
    expect(() => store.writePack('w', [object('other')])).toThrow(expect.objectContaining({ code: 'STORE_WRITE_FAILED' }));
  });

  it('detects a flipped byte on read and in a scrub', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root);
    const a = object('evidence-a');
    const [loc] = await store.putPack('p', [a, object('evidence-b')]);
    const file = segmentFile(root, loc!.pack);
    const data = await readFile(file);
    data[loc!.offset + 3] = data[loc!.offset + 3]! ^ 0x01;
    await writeFile(file, data);
    await expect(store.get(loc!, a.contentHash)).rejects.toMatchObject({ code: 'OBJECT_CORRUPT' });
    expect((await store.verifySegment(loc!.pack)).corrupt).toEqual([a.contentHash]);
  });

  it('a scrub reports a torn last pack (a crash mid-append) and keeps every whole pack before it', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root);
    const [kept] = await store.putPack('kept', [object('kept')]);
    const [torn] = await store.putPack('torn', [object('torn-object')]);
    const file = segmentFile(root, kept!.pack);
    // Cut inside the torn pack's data: its 16-byte header and 4 bytes of it remain.
    await truncate(file, torn!.offset + 4);
    expect(await store.verifySegment(kept!.pack)).toEqual({ packs: 1, objects: 1, corrupt: [], tornTailBytes: 20, damaged: [] });
    expect(Buffer.from(await store.get(kept!, object('kept').contentHash)).toString()).toBe('kept');
  });

  it('a scrub tells damage inside a segment from a torn tail, and still checks the packs after it', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root);
    const [a] = await store.putPack('a', [object('first')]);
    const [b] = await store.putPack('b', [object('second')]);
    const [c] = await store.putPack('c', [object('third')]);
    const file = segmentFile(root, a!.pack);
    const data = await readFile(file);
    // One bit of pack b's data length (its header starts 16 bytes before its first object).
    data[b!.offset - 16 + 7] = data[b!.offset - 16 + 7]! ^ 0x01;
    await writeFile(file, data);
    expect(await store.verifySegment(a!.pack)).toEqual({ packs: 2, objects: 2, corrupt: [], tornTailBytes: 0, damaged: [{ offset: b!.offset - 16, bytes: c!.offset - b!.offset }] });
  });

  it('reports damage to the last pack of a segment as damage, not as a torn tail', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root);
    const [a] = await store.putPack('a', [object('first')]);
    const [b] = await store.putPack('b', [object('second')]);
    const file = segmentFile(root, a!.pack);
    const data = await readFile(file);
    // A byte of pack b's index (its last line ends two bytes before the end of the file).
    data[data.length - 3] = 0x7a;
    await writeFile(file, data);
    const packB = b!.offset - 16;
    expect(await store.verifySegment(a!.pack)).toEqual({ packs: 1, objects: 1, corrupt: [], tornTailBytes: 0, damaged: [{ offset: packB, bytes: data.length - packB }] });
  });

  it('lists and scrubs pack files of builds before segments', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const objects = [object('old-a'), object('old-b')];
    const index = Buffer.from(`${objects[0]!.contentHash} 0 5\n${objects[1]!.contentHash} 5 5\n`);
    const footer = Buffer.alloc(4);
    footer.writeUInt32BE(index.length);
    await mkdir(path.join(root, 'packs'), { recursive: true });
    await writeFile(path.join(root, 'packs', 'shard-0-0-1.pack'), Buffer.concat([objects[0]!.bytes, objects[1]!.bytes, index, footer]));
    const store = new FileEvidenceStore(root);
    await store.putPack('new', [object('new')]);
    expect(await store.legacyPacks()).toEqual(['shard-0-0-1']);
    expect(await store.segments()).toHaveLength(1);
    expect(await store.verifyLegacyPack('shard-0-0-1')).toEqual({ packs: 1, objects: 2, corrupt: [], tornTailBytes: 0, damaged: [] });
    expect(Buffer.from(await store.get({ pack: 'shard-0-0-1', offset: 5, length: 5 }, objects[1]!.contentHash)).toString()).toBe('old-b');
  });

  it('starts a new segment once one reaches its size limit', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root, { maxSegmentBytes: 100 });
    const [first] = await store.putPack('one', [object('x'.repeat(120))]);
    const [second] = await store.putPack('two', [object('y')]);
    expect(second!.pack).not.toBe(first!.pack);
    expect(second!.offset).toBe(16);
  });

  it('rejects bad names, bad hashes and unknown segments with typed errors', async () => {
    const store = new FileEvidenceStore(await mkdtemp(path.join(tmpdir(), 'cas-')));
    await expect(store.putPack('../escape', [])).rejects.toMatchObject({ code: 'LOCATION_INVALID' });
    await expect(store.putPack('p', [{ contentHash: 'ABC', bytes: Buffer.from('x') }])).rejects.toMatchObject({ code: 'LOCATION_INVALID' });
    await expect(store.get({ pack: 'missing', offset: 0, length: 1 }, 'a'.repeat(64))).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
    await expect(store.get({ pack: '../x', offset: 0, length: 1 }, 'a'.repeat(64))).rejects.toMatchObject({ code: 'LOCATION_INVALID' });
  });
});
