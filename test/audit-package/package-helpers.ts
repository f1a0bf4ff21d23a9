import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import { AUDIT_PACKAGE_PAYLOAD_TYPE, PACKAGE_FILES, type AuditPackageManifest } from '@probity/audit-package';
import { fromBase64, signEnvelope, type SigningKey } from '@probity/crypto';
import tar from 'tar-stream';

/** The files of a package, in archive order. */
export async function readPackage(archive: Buffer): Promise<[string, Buffer][]> {
  const extract = tar.extract();
  const done = pipeline(Readable.from([archive]), createGunzip(), extract);
  const out: [string, Buffer][] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.push([entry.header.name, Buffer.concat(chunks)]);
  }
  await done;
  return out;
}

/** A gzip tar of these files, in this order. */
export async function writePackage(files: readonly [string, Buffer][]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => pack.on('end', resolve));
  for (const [name, bytes] of files) pack.entry({ name, size: bytes.length, mtime: new Date(0) }, bytes);
  pack.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

export function manifestOf(files: readonly [string, Buffer][]): AuditPackageManifest {
  const envelope = JSON.parse(files.find(([n]) => n === PACKAGE_FILES.manifest)![1].toString('utf8')) as { payload: string };
  return JSON.parse(Buffer.from(fromBase64(envelope.payload)).toString('utf8')) as AuditPackageManifest;
}

/**
 * The files with the manifest rewritten to list their current hashes and
 * signed again by `signer`: what an insider holding the signing key (or a
 * builder bug) could produce; only recomputation catches what it changed.
 */
export function resign(files: readonly [string, Buffer][], signer: SigningKey, edit: (m: AuditPackageManifest) => void = () => undefined): [string, Buffer][] {
  const manifest = manifestOf(files);
  const byName = new Map(files);
  manifest.files = manifest.files.map((f) => {
    const bytes = byName.get(f.path)!;
    return { path: f.path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  });
  edit(manifest);
  const envelope = signEnvelope(Buffer.from(JSON.stringify(manifest)), AUDIT_PACKAGE_PAYLOAD_TYPE, signer);
  return files.map(([n, b]) => [n, n === PACKAGE_FILES.manifest ? Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`) : b]);
}
