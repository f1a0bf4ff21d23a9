/**
 * The layout of one pack inside a segment file, pure so it can be tested
 * without a disk:
 *
 *   header (16 bytes): magic "PRBP", u32 BE data length, u32 BE index length, u32 BE version (1)
 *   data:              the objects back to back
 *   index:             UTF-8 lines: `pack <name>`, then `<sha256 hex> <offset> <length>` per object
 *
 * Offsets in the index are absolute within the segment, as in a StoredLocation.
 */
export const PACK_HEADER_BYTES = 16;
const MAGIC = Buffer.from('PRBP', 'ascii');
const VERSION = 1;

export interface PackIndexEntry {
  contentHash: string;
  offset: number;
  length: number;
}

export function encodePackHeader(dataLength: number, indexLength: number): Buffer {
  const header = Buffer.alloc(PACK_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(dataLength, 4);
  header.writeUInt32BE(indexLength, 8);
  header.writeUInt32BE(VERSION, 12);
  return header;
}

/** The header at `position`, or null if there is no whole header of a known version there (a torn tail). */
export function readPackHeader(data: Buffer, position: number): { dataLength: number; indexLength: number } | null {
  if (position + PACK_HEADER_BYTES > data.length) return null;
  if (!data.subarray(position, position + 4).equals(MAGIC) || data.readUInt32BE(position + 12) !== VERSION) return null;
  return { dataLength: data.readUInt32BE(position + 4), indexLength: data.readUInt32BE(position + 8) };
}

/** The index of a pack as `parsePackIndex` reads it. */
export function encodePackIndex(pack: string, entries: readonly PackIndexEntry[]): Buffer {
  return Buffer.from(`pack ${pack}\n${entries.map((e) => `${e.contentHash} ${e.offset} ${e.length}\n`).join('')}`);
}

const ENTRY_LINE = /^([0-9a-f]{64}) (\d+) (\d+)$/;

/** The pack's name and entries, or null if the index is not in the format above. */
export function parsePackIndex(index: Buffer): { pack: string; entries: PackIndexEntry[] } | null {
  const lines = index.toString('utf8').split('\n');
  if (lines.pop() !== '') return null;
  const first = lines.shift();
  if (first === undefined || !first.startsWith('pack ')) return null;
  const entries: PackIndexEntry[] = [];
  for (const line of lines) {
    const match = ENTRY_LINE.exec(line);
    if (!match) return null;
    entries.push({ contentHash: match[1]!, offset: Number(match[2]), length: Number(match[3]) });
  }
  return { pack: first.slice('pack '.length), entries };
}

/** The extent of the whole, well-formed pack starting at `position` (header, data, parsable index), or null. */
export function packAt(data: Buffer, position: number): { end: number; entries: PackIndexEntry[] } | null {
  const header = readPackHeader(data, position);
  if (!header) return null;
  const end = position + PACK_HEADER_BYTES + header.dataLength + header.indexLength;
  if (end > data.length) return null;
  const index = parsePackIndex(data.subarray(end - header.indexLength, end));
  if (!index) return null;
  // Every object lies in this pack's data area; bytes that merely look like a pack (say, inside an object) do not.
  const dataStart = position + PACK_HEADER_BYTES;
  const dataEnd = end - header.indexLength;
  if (!index.entries.every((e) => e.offset >= dataStart && e.offset + e.length <= dataEnd)) return null;
  return { end, entries: index.entries };
}

/**
 * Whether the bytes from `position` to the end are what a crash mid-append
 * leaves: too few for a header, a header whose pack runs past the end of the
 * file, or zeros (space the file system allocated but never received data).
 */
export function isTornTail(data: Buffer, position: number): boolean {
  if (data.length - position < PACK_HEADER_BYTES) return true;
  const header = readPackHeader(data, position);
  if (header && position + PACK_HEADER_BYTES + header.dataLength + header.indexLength > data.length) return true;
  return data.subarray(position).every((byte) => byte === 0);
}

/** Where the next whole pack after `from` starts, or null if none does (what is left is a torn tail). */
export function nextPackAfter(data: Buffer, from: number): number | null {
  for (let candidate = data.indexOf(MAGIC, from); candidate >= 0; candidate = data.indexOf(MAGIC, candidate + 1)) {
    if (packAt(data, candidate)) return candidate;
  }
  return null;
}

/**
 * A pack file of builds before segments: the objects, an index of
 * `<sha256 hex> <offset> <length>` lines, then the index's length (u32 BE).
 * Returns its entries, or null if the file does not end in a readable index.
 */
export function parseLegacyPack(data: Buffer): PackIndexEntry[] | null {
  if (data.length < 4) return null;
  const length = data.readUInt32BE(data.length - 4);
  if (length + 4 > data.length) return null;
  const lines = data.subarray(data.length - 4 - length, data.length - 4).toString('utf8').split('\n');
  if (lines.pop() !== '') return null;
  const entries: PackIndexEntry[] = [];
  for (const line of lines) {
    const match = ENTRY_LINE.exec(line);
    if (!match) return null;
    entries.push({ contentHash: match[1]!, offset: Number(match[2]), length: Number(match[3]) });
  }
  return entries;
}
