import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { isDeepStrictEqual } from 'node:util';
import { parseRequirementSet } from '@probity/compliance';
import { fromBase64, fromHex, leafHash, noteKeyHash, openNote, parseCheckpoint, parseNote, verifyConsistency, verifyEnvelope, verifyInclusionByHash, type TrustedKey } from '@probity/crypto';
import { verifyEvidenceDocument } from '@probity/evidence';
import { parsePublicKeyring, toTrustedKeys, type PublicKeyring } from '@probity/keystore';
import type { SchemaRegistry } from '@probity/schema';
import tar from 'tar-stream';
import { PackageAccumulator, type PackagedDocument } from './accumulator.js';
import { deriveFiles } from './derive.js';
import {
  AUDIT_PACKAGE_FORMAT, AUDIT_PACKAGE_PAYLOAD_TYPE, DERIVED_FILES, PACKAGE_FILES,
  type AuditPackageManifest, type PackageCatalog, type PackageCheckpoint, type PackageConsistencyProof, type SoaEntry,
} from './format.js';

export interface PackageVerifyOptions {
  /** Decodes record bytes (the readable fields of every record are derived again from them). */
  registry: SchemaRegistry;
  /** The notary's public keyring the caller trusts; without it the package's own keyring.json is used (and the report says so). */
  trustedKeyring?: PublicKeyring;
  /** Called every 1,000 records verified. */
  onProgress?: (records: number) => void;
  /** Failures kept (the count is always complete). @defaultValue 50 */
  maxFailures?: number;
}

export interface PackageCheck {
  name: 'archive' | 'manifest_signature' | 'files' | 'records' | 'checkpoints' | 'consistency' | 'recomputed';
  ok: boolean;
  detail: string;
}

export interface PackageVerification {
  valid: boolean;
  keyring: 'trusted' | 'package';
  checks: PackageCheck[];
  /** The first failures, each naming the file, record or check. */
  failures: string[];
  failureCount: number;
  records: number;
  manifest?: AuditPackageManifest;
}

type NotaryKeys = (TrustedKey & { name: string })[];

const toNotaryKeys = (keyring: PublicKeyring): NotaryKeys => toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));

/**
 * Verifies an audit package offline with public keys only: the manifest's
 * DSSE signature, every file's SHA-256 and size against the manifest, every
 * record (bundle, readable fields, and its proof against its shard's package
 * checkpoint), every checkpoint's signature, the consistency proofs, and
 * that every derived file (coverage, gaps, SoA, KPIs, incidents, oversight,
 * OSCAL, report) is what the records and data files give, byte for byte.
 * Streams the records: memory holds their coverage view only.
 */
export async function verifyAuditPackage(input: Readable, options: PackageVerifyOptions): Promise<PackageVerification> {
  const maxFailures = options.maxFailures ?? 50;
  const failures: string[] = [];
  let failureCount = 0;
  const problems = new Map<PackageCheck['name'], number>();
  const fail = (check: PackageCheck['name'], detail: string) => {
    failureCount += 1;
    problems.set(check, (problems.get(check) ?? 0) + 1);
    if (failures.length < maxFailures) failures.push(`${check}: ${detail}`);
  };

  let keys: NotaryKeys | undefined = options.trustedKeyring ? toNotaryKeys(options.trustedKeyring) : undefined;
  let envelope: unknown;
  let manifest: AuditPackageManifest | undefined;
  let signatureChecked = false;
  const files = new Map<string, Buffer>();
  const seen = new Set<string>();
  let records = 0;
  let checkpoints: PackageCheckpoint[] | undefined;
  let accumulator: PackageAccumulator | undefined;

  const checkSignature = () => {
    if (signatureChecked || !keys || envelope === undefined || !manifest) return;
    signatureChecked = true;
    try {
      const verified = verifyEnvelope(envelope, keys, { at: new Date(manifest.created_at) });
      if (verified.payloadType !== AUDIT_PACKAGE_PAYLOAD_TYPE) fail('manifest_signature', `payload type ${verified.payloadType}, expected ${AUDIT_PACKAGE_PAYLOAD_TYPE}`);
      // Base64 decoders ignore a last character's unused bits; the builder never sets them, so set ones are a change.
      const e = envelope as { payload: string; signatures: { sig: string }[] };
      const loose = [e.payload, ...e.signatures.map((x) => x.sig)].find((b) => Buffer.from(b, 'base64').toString('base64') !== b);
      if (loose !== undefined) fail('manifest_signature', 'manifest.dsse.json: a base64 value is not in canonical form');
      // DSSE treats a keyid as a hint; here every signature must name the key that made it.
      const unnamed = e.signatures.map((x) => (x as { keyid?: string }).keyid).filter((k) => !verified.keyIds.includes(k ?? ''));
      if (unnamed.length > 0) fail('manifest_signature', `manifest.dsse.json: signature key id(s) ${unnamed.join(', ')} did not make a verifying signature`);
    } catch (err) {
      fail('manifest_signature', `manifest.dsse.json: ${(err as Error).message}`);
    }
  };

  const extract = tar.extract();
  const reading = pipeline(input, createGunzip(), extract).catch((err: unknown) => fail('archive', `not a readable gzip tar: ${(err as Error).message}`));
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      const hash = createHash('sha256');
      let size = 0;
      // Hashed as it is read, whoever reads it.
      const counted = entry.pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
      );
      if (seen.has(name)) fail('files', `${name} appears twice in the archive`);
      seen.add(name);

      if (seen.size === 1) {
        const bytes = await collect(counted);
        if (name !== PACKAGE_FILES.manifest) {
          fail('archive', `the first file is ${name}, not ${PACKAGE_FILES.manifest}`);
          break;
        }
        try {
          envelope = JSON.parse(bytes.toString('utf8'));
          const payload = Buffer.from(fromBase64((envelope as { payload: string }).payload)).toString('utf8');
          manifest = parseManifest(JSON.parse(payload));
        } catch (err) {
          fail('archive', `manifest.dsse.json is not a DSSE envelope of a package manifest: ${(err as Error).message}`);
          break;
        }
        checkSignature();
        accumulator = new PackageAccumulator(manifest.request);
        continue;
      }
      const listed = manifest!.files.find((f) => f.path === name);
      if (!listed) fail('files', `${name} is in the archive but not in the signed manifest`);

      if (name === PACKAGE_FILES.records) {
        if (!keys) fail('records', `${PACKAGE_FILES.records} comes before ${PACKAGE_FILES.keyring}: no keys to verify it with`);
        if (!checkpoints) fail('records', `${PACKAGE_FILES.records} comes before ${PACKAGE_FILES.checkpoints}`);
        const lines = createInterface({ input: counted, crlfDelay: Number.POSITIVE_INFINITY });
        const hashes = new Set<string>();
        const byShard = new Map((checkpoints ?? []).map((c) => [c.shard, c]));
        for await (const line of lines) {
          records += 1;
          const where = `${PACKAGE_FILES.records} line ${records}`;
          if (!keys || !checkpoints) continue;
          let doc: Record<string, unknown>;
          try {
            doc = JSON.parse(line) as Record<string, unknown>;
          } catch {
            fail('records', `${where}: not JSON`);
            continue;
          }
          // The record is verified against its own notarization checkpoint here, and its proof against the
          // package checkpoint below: that checkpoint may be signed by a key that entered service after the
          // record was notarized (a rotation), which verifyEvidenceDocument would refuse for `latest`.
          const { latest, ...own } = doc;
          const report = verifyEvidenceDocument(own, { notaryKeys: keys, registry: options.registry });
          const hashName = typeof doc.content_hash === 'string' ? ` (${doc.content_hash})` : '';
          if (!report.valid) {
            fail('records', `${where}${hashName}: ${firstFailure(report)}`);
            continue;
          }
          const problem = packageProofProblem(latest, byShard.get(report.reports[0]!.report.statement!.shard), (doc.bundle as { statement: string }).statement, report.reports[0]!.report.statement!.index);
          if (problem) {
            fail('records', `${where}${hashName}: ${problem}`);
            continue;
          }
          if (doc.tenant !== manifest!.request.tenant) {
            fail('records', `${where}${hashName}: a record of tenant ${String(doc.tenant)} in a package of ${manifest!.request.tenant}`);
            continue;
          }
          if (hashes.has(doc.content_hash as string)) {
            fail('records', `${where}${hashName}: the record appears twice`);
            continue;
          }
          hashes.add(doc.content_hash as string);
          accumulator!.add(doc as unknown as PackagedDocument);
          if (records % 1000 === 0) options.onProgress?.(records);
        }
      } else if (!listed) {
        // Named above; not kept, so a large stray file costs no memory.
        counted.resume();
        await new Promise((resolve) => counted.once('end', resolve));
      } else {
        const bytes = await collect(counted);
        files.set(name, bytes);
        if (name === PACKAGE_FILES.keyring && !options.trustedKeyring) {
          try {
            keys = toNotaryKeys(parsePublicKeyring(JSON.parse(bytes.toString('utf8')), name));
          } catch (err) {
            fail('files', `${name}: ${(err as Error).message}`);
          }
          checkSignature();
        }
        if (name === PACKAGE_FILES.checkpoints) {
          try {
            checkpoints = JSON.parse(bytes.toString('utf8')) as PackageCheckpoint[];
            if (!Array.isArray(checkpoints)) throw new Error('not an array');
          } catch (err) {
            fail('checkpoints', `${name}: ${(err as Error).message}`);
            checkpoints = [];
          }
        }
      }
      if (listed) {
        const digest = hash.digest('hex');
        if (digest !== listed.sha256 || size !== listed.size) fail('files', `${name}: SHA-256 ${digest} (${size} bytes), the manifest says ${listed.sha256} (${listed.size} bytes)`);
      }
    }
  } catch (err) {
    fail('archive', `the archive cannot be read: ${(err as Error).message}`);
  }
  await reading;
  options.onProgress?.(records);

  const keyring = options.trustedKeyring ? 'trusted' : 'package';
  if (!manifest) return finish();
  if (!signatureChecked) fail('manifest_signature', 'no keys to check the manifest signature with (keyring.json missing)');
  for (const f of manifest.files) if (!seen.has(f.path)) fail('files', `${f.path} is in the manifest but not in the archive`);
  if (records !== manifest.records) fail('records', `${records} records in ${PACKAGE_FILES.records}, the manifest says ${manifest.records}`);
  if (keys && checkpoints) checkCheckpoints(manifest, checkpoints, keys, fail);
  if (keys && checkpoints) checkConsistency(files.get(PACKAGE_FILES.consistency), checkpoints, keys, fail);
  if (accumulator) recompute(manifest, files, accumulator, fail);
  return finish();

  function finish(): PackageVerification {
    const names: PackageCheck['name'][] = ['archive', 'manifest_signature', 'files', 'records', 'checkpoints', 'consistency', 'recomputed'];
    const checks = names.map((name) => ({ name, ok: !problems.has(name), detail: problems.has(name) ? `${problems.get(name)} failure(s)` : okDetail(name) }));
    return { valid: failureCount === 0, keyring, checks, failures, failureCount, records, ...(manifest ? { manifest } : {}) };
  }

  function okDetail(name: PackageCheck['name']): string {
    switch (name) {
      case 'manifest_signature': return `signed by a notary key of the ${keyring === 'trusted' ? 'trusted keyring' : "package's own keyring (pass --keyring to trust one of your own)"}`;
      case 'files': return `${manifest?.files.length ?? 0} files, every SHA-256 and size as the manifest says`;
      case 'records': return `${records} records verified, each proved against its shard's package checkpoint`;
      case 'checkpoints': return `${checkpoints?.length ?? 0} checkpoint(s) signed by the notary`;
      case 'consistency': return 'every consistency proof holds';
      case 'recomputed': return `${DERIVED_FILES.length} derived files recomputed from the records and equal`;
      default: return 'ok';
    }
  }
}

function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  return (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return Buffer.concat(chunks);
  })();
}

function firstFailure(report: ReturnType<typeof verifyEvidenceDocument>): string {
  for (const { against, report: r } of report.reports) {
    const bad = r.checks.find((c) => !c.ok);
    if (bad) return `${against}: ${bad.name}: ${bad.detail}`;
  }
  return report.fields && !report.fields.ok ? `readable fields: ${report.fields.detail}` : 'invalid';
}

const LATEST_FIELDS = ['checkpoint', 'inclusion_proof', 'root_hash', 'size'];

/** Why a record's `latest` is not a valid proof against its shard's package checkpoint, or null when it is. */
function packageProofProblem(latest: unknown, checkpoint: PackageCheckpoint | undefined, statementBase64: string, index: number): string | null {
  if (!checkpoint) return 'no package checkpoint for its shard';
  const l = latest as { checkpoint?: unknown; size?: unknown; root_hash?: unknown; inclusion_proof?: unknown } | null | undefined;
  if (typeof l !== 'object' || l === null || Array.isArray(l) || !isDeepStrictEqual(Object.keys(l).sort(), LATEST_FIELDS)) return 'latest must be {checkpoint, size, root_hash, inclusion_proof}';
  if (l.checkpoint !== checkpoint.signed_note || l.size !== checkpoint.size || l.root_hash !== checkpoint.root_hash) return `not proved against the package checkpoint of shard ${checkpoint.shard}`;
  if (!Array.isArray(l.inclusion_proof) || !l.inclusion_proof.every((h) => typeof h === 'string')) return 'latest.inclusion_proof must be a list of base64 hashes';
  let ok = false;
  try {
    ok = verifyInclusionByHash(leafHash(fromBase64(statementBase64)), index, checkpoint.size, l.inclusion_proof.map((h) => fromBase64(h)), fromHex(checkpoint.root_hash));
  } catch {
    ok = false;
  }
  return ok ? null : `leaf ${index} is not included in the package checkpoint of shard ${checkpoint.shard} (size ${checkpoint.size}) by its proof`;
}

function parseManifest(json: unknown): AuditPackageManifest {
  const m = json as AuditPackageManifest;
  if (m?.format !== AUDIT_PACKAGE_FORMAT) throw new Error(`format is not ${AUDIT_PACKAGE_FORMAT}`);
  if (!Array.isArray(m.files) || !m.files.every((f) => typeof f?.path === 'string' && typeof f.sha256 === 'string' && Number.isSafeInteger(f.size))) throw new Error('files is not a list of {path, sha256, size}');
  const r = m.request;
  if (typeof r?.tenant !== 'string' || typeof r.framework !== 'string' || typeof r.from !== 'string' || typeof r.to !== 'string' || typeof r.as_of !== 'string' || (r.granularity !== 'month' && r.granularity !== 'quarter')) {
    throw new Error('request is not {tenant, framework, from, to, granularity, as_of, model_id}');
  }
  if (!Array.isArray(m.checkpoints) || !Number.isSafeInteger(m.records) || typeof m.created_at !== 'string') throw new Error('checkpoints, records or created_at missing');
  return m;
}

/**
 * Opens a signed note with the notary keys: the checkpoint it signs, or an
 * error. A checkpoint a package uses was signed before the package was
 * built, so a key that entered service only later cannot vouch for it.
 */
function openCheckpoint(note: string, keys: NotaryKeys, signedBy?: Date) {
  const verifiers = keys.map((k) => ({ name: k.name, keyHash: noteKeyHash(k.name, k.publicKey), publicKeyRaw: k.publicKey, key: k }));
  const opened = openNote(note, verifiers);
  // Note parsers ignore a signature's unused trailing base64 bits; the notary never sets them, so set ones are a change.
  const loose = parseNote(note).signatures.find((sig) => Buffer.from(sig.base64, 'base64').toString('base64') !== sig.base64);
  if (loose) throw new Error(`the signature by ${loose.name} is not canonical base64`);
  if (signedBy && !opened.sigs.some((sig) => verifiers.some((v) => v.name === sig.name && v.keyHash === sig.keyHash && v.key.notBefore.getTime() <= signedBy.getTime()))) {
    throw new Error(`signed only by keys that entered service after the package was built (${signedBy.toISOString()})`);
  }
  return parseCheckpoint(opened.text);
}

type Fail = (check: PackageCheck['name'], detail: string) => void;

function checkCheckpoints(manifest: AuditPackageManifest, checkpoints: PackageCheckpoint[], keys: NotaryKeys, fail: Fail): void {
  const listed = manifest.checkpoints.map((c) => `${c.shard}:${c.size}:${c.root_hash}`).sort();
  const present: string[] = [];
  for (const c of checkpoints) {
    try {
      const opened = openCheckpoint(c.signed_note, keys, new Date(manifest.created_at));
      const root = Buffer.from(opened.rootHash).toString('hex');
      if (opened.size !== c.size || root !== c.root_hash) fail('checkpoints', `shard ${c.shard}: the signed note says size ${opened.size} root ${root}, the file ${c.size} ${c.root_hash}`);
      present.push(`${c.shard}:${opened.size}:${root}`);
    } catch (err) {
      fail('checkpoints', `shard ${c.shard}: ${(err as Error).message}`);
    }
  }
  if (!isDeepStrictEqual(present.sort(), listed)) fail('checkpoints', 'the checkpoints differ from those the manifest lists');
}

function checkConsistency(bytes: Buffer | undefined, checkpoints: PackageCheckpoint[], keys: NotaryKeys, fail: Fail): void {
  if (!bytes) return;
  let proofs: PackageConsistencyProof[];
  try {
    proofs = JSON.parse(bytes.toString('utf8')) as PackageConsistencyProof[];
    if (!Array.isArray(proofs)) throw new Error('not an array');
  } catch (err) {
    fail('consistency', `${PACKAGE_FILES.consistency}: ${(err as Error).message}`);
    return;
  }
  const byShard = new Map(checkpoints.map((c) => [c.shard, c]));
  for (const p of proofs) {
    const to = byShard.get(p.shard);
    if (!to || to.size !== p.to_size) {
      fail('consistency', `shard ${p.shard}: the proof is not to the package checkpoint`);
      continue;
    }
    try {
      const from = openCheckpoint(p.from.signed_note, keys);
      const toOpened = openCheckpoint(to.signed_note, keys);
      if (from.size !== p.from.size || Buffer.from(from.rootHash).toString('hex') !== p.from.root_hash || p.from.shard !== p.shard) {
        throw new Error('the earlier checkpoint\'s shard, size or root differ from its signed note');
      }
      if (from.origin !== toOpened.origin) throw new Error(`the earlier checkpoint is of log ${from.origin}, the package's of ${toOpened.origin}`);
      const ok = verifyConsistency(from.size, toOpened.size, from.rootHash, toOpened.rootHash, p.proof.map((h) => fromBase64(h)));
      if (!ok) fail('consistency', `shard ${p.shard}: the log at size ${toOpened.size} does not extend the earlier checkpoint of size ${from.size}: rewritten, or a bad proof`);
    } catch (err) {
      fail('consistency', `shard ${p.shard}: ${(err as Error).message}`);
    }
  }
}

function recompute(manifest: AuditPackageManifest, files: Map<string, Buffer>, accumulator: PackageAccumulator, fail: Fail): void {
  const json = <T>(p: string): T | undefined => {
    const b = files.get(p);
    if (!b) return undefined;
    try {
      return JSON.parse(b.toString('utf8')) as T;
    } catch {
      fail('recomputed', `${p} is not JSON`);
      return undefined;
    }
  };
  const requirementsJson = json<unknown>(PACKAGE_FILES.requirements);
  const catalog = json<PackageCatalog>(PACKAGE_FILES.catalog);
  const applicability = json<SoaEntry[]>(PACKAGE_FILES.applicability);
  if (requirementsJson === undefined || !catalog || !applicability) {
    fail('recomputed', 'the data files (requirements, catalog, applicability) are missing: nothing to recompute with');
    return;
  }
  try {
    const requirements = parseRequirementSet(requirementsJson, PACKAGE_FILES.requirements);
    if (requirements.id !== manifest.requirements.id || requirements.version !== manifest.requirements.version) fail('recomputed', `${PACKAGE_FILES.requirements} is ${requirements.id} v${requirements.version}, the manifest names ${manifest.requirements.id} v${manifest.requirements.version}`);
    if (catalog.framework !== manifest.request.framework) fail('recomputed', `${PACKAGE_FILES.catalog} is of framework ${catalog.framework}, the request of ${manifest.request.framework}`);
    const derived = deriveFiles({ manifest, requirements, catalog, applicability, accumulator });
    for (const [p, bytes] of derived.files) {
      const inPackage = files.get(p);
      if (!inPackage) fail('recomputed', `${p} is missing`);
      else if (!inPackage.equals(bytes)) fail('recomputed', `${p} differs from what the records give${p === PACKAGE_FILES.coverage ? ` (${firstCellDifference(inPackage, derived.matrix)})` : ''}`);
    }
  } catch (err) {
    fail('recomputed', (err as Error).message);
  }
}

function firstCellDifference(bytes: Buffer, matrix: ReturnType<typeof deriveFiles>['matrix']): string {
  try {
    const given = JSON.parse(bytes.toString('utf8')) as typeof matrix;
    for (const row of matrix.rows) {
      const other = given.rows?.find((r) => r.control === row.control);
      if (!other) return `control ${row.control} missing`;
      for (const cell of row.cells) {
        const o = other.cells?.find((c) => c.period === cell.period);
        if (!o || o.state !== cell.state || o.records !== cell.records) return `${row.control} ${cell.period}: package says ${o?.state ?? 'nothing'}/${o?.records ?? 0}, recomputed ${cell.state}/${cell.records}`;
      }
    }
    return 'a field other than the cell states differs';
  } catch {
    return 'not JSON';
  }
}


/** One file of a package, unverified (e.g. the checkpoints of an earlier package); undefined when it has none. */
export async function readPackageFile(input: Readable, name: string): Promise<Buffer | undefined> {
  const extract = tar.extract();
  const reading = pipeline(input, createGunzip(), extract);
  let found: Buffer | undefined;
  for await (const entry of extract) {
    if (entry.header.name === name && found === undefined) found = await collect(entry);
    else entry.resume();
  }
  await reading;
  return found;
}
