import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEvidenceStore } from './index.js';

const object = (text: string) => {
  const bytes = Buffer.from(text);
  return { contentHash: createHash('sha256').update(bytes).digest('hex'), bytes };
};

describe('FileEvidenceStore', () => {
  it('writes a pack and reads each object back verified', async () => {
    const store = new FileEvidenceStore(await mkdtemp(path.join(tmpdir(), 'cas-')));
    const objects = [object('alpha'), object('beta'), object('')];
    const locations = await store.putPack('0-0-3', objects);
    for (const [i, loc] of locations.entries()) {
      expect(Buffer.from(await store.get(loc, objects[i]!.contentHash)).toString()).toBe(['alpha', 'beta', ''][i]);
    }
    expect(await store.verifyPack('0-0-3')).toEqual({ objects: 3, corrupt: [] });
  });

  it('is write-once: same contents are a no-op, different contents are refused', async () => {
    const store = new FileEvidenceStore(await mkdtemp(path.join(tmpdir(), 'cas-')));
    await store.putPack('p', [object('a')]);
    await expect(store.putPack('p', [object('a')])).resolves.toHaveLength(1);
    await expect(store.putPack('p', [object('b')])).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
  });

  it('detects a flipped byte on read and in a scrub', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cas-'));
    const store = new FileEvidenceStore(root);
    const a = object('evidence-a');
    const [loc] = await store.putPack('p', [a, object('evidence-b')]);
    const packFile = path.join(root, 'packs', 'p.pack');
    const data = await readFile(packFile);
    data[3] = data[3]! ^ 0x01;
    await writeFile(packFile, data);
    await expect(store.get(loc!, a.contentHash)).rejects.toMatchObject({ code: 'OBJECT_CORRUPT' });
    expect((await store.verifyPack('p')).corrupt).toEqual([a.contentHash]);
  });

  it('rejects bad names and unknown packs with typed errors', async () => {
    const store = new FileEvidenceStore(await mkdtemp(path.join(tmpdir(), 'cas-')));
    await expect(store.putPack('../escape', [])).rejects.toMatchObject({ code: 'LOCATION_INVALID' });
    await expect(store.get({ pack: 'missing', offset: 0, length: 1 }, 'a'.repeat(64))).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
  });
});
