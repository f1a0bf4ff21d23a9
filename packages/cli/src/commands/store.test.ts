import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEvidenceStore } from '@probity/evidence-store';
import type { CliIo } from '../command.js';
import { runCli } from '../main.js';
import { store } from './store.js';

function memoryIo(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const object = (text: string) => {
  const bytes = Buffer.from(text);
  return { contentHash: createHash('sha256').update(bytes).digest('hex'), bytes };
};

describe('probity store verify', () => {
  it('re-hashes every object of every segment; exit 1 names the corrupt ones', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-store-'));
    const first = new FileEvidenceStore(dir);
    const [loc] = await first.putPack('a', [object('alpha'), object('beta')]);
    await first.putPack('b', [object('gamma')]);
    first.close();
    // A restarted notary writes a segment of its own.
    await new FileEvidenceStore(dir).putPack('c', [object('delta')]);

    const clean = memoryIo();
    expect(await runCli(['store', 'verify', '--store-dir', dir], clean, [store])).toBe(0);
    expect(JSON.parse(clean.out).totals).toEqual({ segments: 2, legacyPacks: 0, packs: 3, objects: 4, corrupt: 0, damagedRegions: 0, damagedBytes: 0, tornTailBytes: 0 });
    expect(clean.err).toContain('2/2 segment');

    const file = path.join(dir, 'packs', `${loc!.pack}.pack`);
    const data = await readFile(file);
    data[loc!.offset] = data[loc!.offset]! ^ 0x01;
    await writeFile(file, data);
    const dirty = memoryIo();
    expect(await runCli(['store', 'verify', '--store-dir', dir], dirty, [store])).toBe(1);
    expect(JSON.parse(dirty.out).segments.find((s: { segment: string }) => s.segment === loc!.pack).corrupt).toEqual([object('alpha').contentHash]);
  });

  it('says so when there is nothing to verify, and refuses a missing subcommand', async () => {
    const empty = memoryIo();
    expect(await runCli(['store', 'verify', '--store-dir', await mkdtemp(path.join(tmpdir(), 'cli-store-'))], empty, [store])).toBe(0);
    expect(empty.err).toMatch(/no segments under/);
    expect(await runCli(['store'], memoryIo(), [store])).toBe(2);
  });
});
