import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { EvidenceStoreError } from './errors.js';
import type { EvidenceObject, EvidenceStore, StoredLocation } from './store.js';

const PACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
const HASH_HEX = /^[0-9a-f]{64}$/;

/**
 * Packs on the local file system: `<root>/packs/<pack>.pack` holds the objects
 * back to back, then an index of `hash offset length` lines, then the index's
 * length (4 bytes, big-endian). A pack is
 * written to a temporary name, fsynced, then renamed, so a crash never leaves
 * a half pack under a real name; an existing pack is never overwritten
 * (write-once): re-putting the same name with the same contents is a no-op.
 */
export class FileEvidenceStore implements EvidenceStore {
  private readonly packsDir: string;

  constructor(rootDir: string) {
    this.packsDir = path.join(rootDir, 'packs');
  }

  async putPack(packName: string, objects: readonly EvidenceObject[]): Promise<StoredLocation[]> {
    if (!PACK_NAME.test(packName)) throw new EvidenceStoreError('LOCATION_INVALID', `invalid pack name ${JSON.stringify(packName)}`);
    const locations: StoredLocation[] = [];
    const indexLines: string[] = [];
    let offset = 0;
    for (const object of objects) {
      if (!HASH_HEX.test(object.contentHash)) throw new EvidenceStoreError('LOCATION_INVALID', `invalid content hash ${JSON.stringify(object.contentHash)}`);
      locations.push({ pack: packName, offset, length: object.bytes.length });
      indexLines.push(`${object.contentHash} ${offset} ${object.bytes.length}`);
      offset += object.bytes.length;
    }
    const packPath = this.packPath(packName);
    const index = Buffer.from(`${indexLines.join('\n')}\n`);
    if (await exists(packPath)) {
      // Write-once: the same batch notarized again after a crash produces the same pack.
      await this.assertSamePack(packName, index);
      return locations;
    }
    try {
      await mkdir(this.packsDir, { recursive: true });
      // One file per pack — objects, then the index, then the index length — so a pack costs one fsync.
      const footer = Buffer.alloc(4);
      footer.writeUInt32BE(index.length);
      await writeDurably(`${packPath}.tmp`, Buffer.concat([...objects.map((o) => o.bytes), index, footer]));
      await rename(`${packPath}.tmp`, packPath);
      await fsyncDir(this.packsDir);
    } catch (err) {
      throw new EvidenceStoreError('STORE_WRITE_FAILED', `could not write pack ${packName} under ${this.packsDir}: ${(err as Error).message}`, { cause: err, retriable: true });
    }
    return locations;
  }

  async get(location: StoredLocation, contentHash: string): Promise<Uint8Array> {
    if (!PACK_NAME.test(location.pack) || !Number.isSafeInteger(location.offset) || !Number.isSafeInteger(location.length) || location.offset < 0 || location.length < 0) {
      throw new EvidenceStoreError('LOCATION_INVALID', 'invalid stored location');
    }
    let handle;
    try {
      handle = await open(this.packPath(location.pack), fsConstants.O_RDONLY);
    } catch (err) {
      throw new EvidenceStoreError('OBJECT_NOT_FOUND', `pack ${location.pack} not found`, { cause: err });
    }
    try {
      const bytes = Buffer.alloc(location.length);
      const { bytesRead } = await handle.read(bytes, 0, location.length, location.offset);
      if (bytesRead !== location.length) throw new EvidenceStoreError('OBJECT_CORRUPT', `pack ${location.pack} is shorter than the stored location`);
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== contentHash) throw new EvidenceStoreError('OBJECT_CORRUPT', `object in pack ${location.pack} at ${location.offset} hashes to ${actual}, expected ${contentHash}`);
      return bytes;
    } finally {
      await handle.close();
    }
  }

  async verifyPack(packName: string): Promise<{ objects: number; corrupt: string[] }> {
    const entries = await this.readIndex(packName);
    const data = await readFile(this.packPath(packName));
    const corrupt: string[] = [];
    for (const entry of entries) {
      const slice = data.subarray(entry.offset, entry.offset + entry.length);
      if (slice.length !== entry.length || createHash('sha256').update(slice).digest('hex') !== entry.contentHash) corrupt.push(entry.contentHash);
    }
    return { objects: entries.length, corrupt };
  }

  private async assertSamePack(packName: string, index: Buffer): Promise<void> {
    const existing = await this.readIndexBytes(packName);
    if (!existing.equals(index)) {
      throw new EvidenceStoreError('STORE_WRITE_FAILED', `pack ${packName} already exists with different contents; packs are write-once`);
    }
  }

  private async readIndexBytes(packName: string): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await readFile(this.packPath(packName));
    } catch (err) {
      throw new EvidenceStoreError('OBJECT_NOT_FOUND', `pack ${packName} not found`, { cause: err });
    }
    if (data.length < 4) throw new EvidenceStoreError('OBJECT_CORRUPT', `pack ${packName} has no index`);
    const length = data.readUInt32BE(data.length - 4);
    if (length + 4 > data.length) throw new EvidenceStoreError('OBJECT_CORRUPT', `pack ${packName} has an index longer than itself`);
    return data.subarray(data.length - 4 - length, data.length - 4);
  }

  private async readIndex(packName: string) {
    const text = (await this.readIndexBytes(packName)).toString('utf8');
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const [contentHash = '', offset = '0', length = '0'] = line.split(' ');
        return { contentHash, offset: Number(offset), length: Number(length) };
      });
  }

  private packPath(packName: string): string {
    return path.join(this.packsDir, `${packName}.pack`);
  }

}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function writeDurably(file: string, data: Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
