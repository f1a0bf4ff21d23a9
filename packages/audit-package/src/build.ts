import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { RequirementSet } from '@probity/compliance';
import { signEnvelope, type SigningKey } from '@probity/crypto';
import type { PublicKeyring } from '@probity/keystore';
import tar from 'tar-stream';
import { PackageAccumulator, type PackagedDocument } from './accumulator.js';
import { deriveFiles, jsonFile } from './derive.js';
import { AuditPackageError } from './errors.js';
import {
  AUDIT_PACKAGE_FORMAT, AUDIT_PACKAGE_PAYLOAD_TYPE, PACKAGE_FILES,
  type AuditPackageManifest, type ManifestFile, type PackageCatalog, type PackageCheckpoint, type PackageConsistencyProof, type PackageRequest, type SoaEntry,
} from './format.js';

/** An evidence document as the API serves it, with `latest` = its proof against its shard's package checkpoint. */
export type PackageDocument = PackagedDocument & { tenant: string; shard: number; leaf_index: number; latest: { checkpoint: string; size: number; root_hash: string; inclusion_proof: string[] } } & Record<string, unknown>;

export interface BuildInputs {
  request: PackageRequest;
  createdAt: Date;
  requirements: RequirementSet;
  catalog: PackageCatalog;
  /** Statement of Applicability entries; none = every control applicable. */
  applicability?: SoaEntry[];
  /** Where the entries came from. @defaultValue applicability-map when there are entries, else derived-all-applicable */
  soaSource?: AuditPackageManifest['soa']['source'];
  keyring: PublicKeyring;
  checkpoints: PackageCheckpoint[];
  consistency: PackageConsistencyProof[];
  /** Every record coverage uses, each with its proof against its shard's checkpoint. */
  documents: AsyncIterable<PackageDocument>;
  signer: SigningKey;
  /** Called every 1,000 records written. */
  onProgress?: (records: number) => void;
}

/** data/requirements.json: the requirement set in its file format (durations written back in the largest exact unit). */
export function requirementSetFile(set: RequirementSet): unknown {
  return {
    id: set.id,
    version: set.version,
    description: set.description,
    late_after: duration(set.lateAfterMs),
    tagged_max_age: duration(set.taggedMaxAgeMs),
    requirements: [...set.byControl.values()].map((r) => ({
      control: r.control,
      kind: r.kind,
      evidence: r.evidence.map((m) => ({
        record_type: m.recordType,
        ...(m.stages ? { stages: [...m.stages] } : {}),
        ...(m.studyKinds ? { study_kinds: [...m.studyKinds] } : {}),
        max_age: duration(m.maxAgeMs),
      })),
      summary: r.summary,
    })),
  };
}

function duration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Builds a package into `out` (gzip-compressed tar): records streamed to a
 * temporary file while hashed and accumulated, the derived files computed,
 * then the manifest signed over every file's hash and the archive written
 * manifest first. Memory holds the coverage view of the records, not them.
 */
export async function writeAuditPackage(inputs: BuildInputs, out: Writable): Promise<AuditPackageManifest> {
  const { request } = inputs;
  const checkpointByShard = new Map(inputs.checkpoints.map((c) => [c.shard, c]));
  const dir = mkdtempSync(path.join(tmpdir(), 'probity-audit-package-'));
  try {
    const recordsPath = path.join(dir, 'records.ndjson');
    const accumulator = new PackageAccumulator(request);
    const recordsHash = createHash('sha256');
    const file = createWriteStream(recordsPath);
    let count = 0;
    try {
      for await (const doc of inputs.documents) {
        if (doc.tenant !== request.tenant) throw new AuditPackageError('PACKAGE_INPUT_INVALID', `record ${doc.content_hash} belongs to another tenant`);
        const checkpoint = checkpointByShard.get(doc.shard);
        if (!checkpoint || doc.latest.checkpoint !== checkpoint.signed_note) {
          throw new AuditPackageError('PACKAGE_INPUT_INVALID', `record ${doc.content_hash} is not proved against the package checkpoint of shard ${doc.shard}`);
        }
        const line = Buffer.from(`${JSON.stringify(doc)}\n`);
        recordsHash.update(line);
        if (!file.write(line)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
        accumulator.add(doc);
        count += 1;
        if (count % 1000 === 0) inputs.onProgress?.(count);
      }
    } finally {
      await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    inputs.onProgress?.(count);

    const inputsFiles = new Map<string, Buffer>();
    inputsFiles.set(PACKAGE_FILES.keyring, jsonFile(inputs.keyring));
    inputsFiles.set(PACKAGE_FILES.checkpoints, jsonFile(inputs.checkpoints));
    inputsFiles.set(PACKAGE_FILES.consistency, jsonFile(inputs.consistency));
    inputsFiles.set(PACKAGE_FILES.requirements, jsonFile(requirementSetFile(inputs.requirements)));
    inputsFiles.set(PACKAGE_FILES.catalog, jsonFile(inputs.catalog));
    inputsFiles.set(PACKAGE_FILES.applicability, jsonFile(inputs.applicability ?? []));

    const head: Omit<AuditPackageManifest, 'files'> = {
      format: AUDIT_PACKAGE_FORMAT,
      created_at: inputs.createdAt.toISOString(),
      request,
      requirements: { id: inputs.requirements.id, version: inputs.requirements.version, sha256: sha256(inputsFiles.get(PACKAGE_FILES.requirements)!) },
      catalog: { name: inputs.catalog.name, framework: inputs.catalog.framework, controls: inputs.catalog.controls.length, sha256: sha256(inputsFiles.get(PACKAGE_FILES.catalog)!) },
      soa: { source: inputs.soaSource ?? ((inputs.applicability ?? []).length === 0 ? 'derived-all-applicable' : 'applicability-map') },
      checkpoints: inputs.checkpoints.map((c) => ({ shard: c.shard, size: c.size, root_hash: c.root_hash })),
      records: count,
    };
    const derived = deriveFiles({ manifest: head, requirements: inputs.requirements, catalog: inputs.catalog, applicability: inputs.applicability ?? [], accumulator });

    const files: ManifestFile[] = [];
    for (const [p, bytes] of inputsFiles) files.push({ path: p, sha256: sha256(bytes), size: bytes.length });
    files.push({ path: PACKAGE_FILES.records, sha256: recordsHash.digest('hex'), size: statSync(recordsPath).size });
    for (const [p, bytes] of derived.files) files.push({ path: p, sha256: sha256(bytes), size: bytes.length });
    const manifest: AuditPackageManifest = { ...head, files };
    const envelope = signEnvelope(Buffer.from(JSON.stringify(manifest)), AUDIT_PACKAGE_PAYLOAD_TYPE, { keyId: inputs.signer.keyId, privateKey: inputs.signer.privateKey });

    const pack = tar.pack();
    const done = pipeline(pack, createGzip(), out);
    const mtime = inputs.createdAt;
    const add = (name: string, bytes: Buffer) => new Promise<void>((resolve, reject) => pack.entry({ name, size: bytes.length, mtime }, bytes, (err) => (err ? reject(err) : resolve())));
    await add(PACKAGE_FILES.manifest, jsonFile(envelope));
    for (const [p, bytes] of inputsFiles) await add(p, bytes);
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name: PACKAGE_FILES.records, size: statSync(recordsPath).size, mtime }, (err) => (err ? reject(err) : resolve()));
      pipeline(createReadStream(recordsPath), entry).catch(reject);
    });
    for (const [p, bytes] of derived.files) await add(p, bytes);
    pack.finalize();
    await done;
    return manifest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
