import { gunzipSync } from 'node:zlib';

/** The bytes of one regular file in a gzipped ustar archive (opa's bundles), or undefined. */
export function fileFromTarGz(archive: Uint8Array, name: string): Uint8Array | undefined {
  const tar = gunzipSync(archive);
  const wanted = name.replace(/^\/+/, '');
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return undefined;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('latin1').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const entryName = (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100)).replace(/^\/+/, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = offset + 512;
    if (entryName === wanted && (type === '0' || type === '')) return new Uint8Array(tar.subarray(body, body + size));
    offset = body + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
