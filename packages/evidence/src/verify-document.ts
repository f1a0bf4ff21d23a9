import { isDeepStrictEqual } from 'node:util';
import type { RecordType, SchemaRegistry } from '@probity/schema';
import { EVIDENCE_SUMMARY_FIELDS, deriveEvidenceSummary, type EvidenceSummary } from './document.js';
import type { SignedRecord } from './signed-record.js';
import { SIGNED_RECORD_FORMAT } from './signed-record.js';
import { verifySignedRecord, type VerificationCheck, type VerificationReport, type VerifyOptions } from './verify.js';

export interface DocumentVerifyOptions extends Omit<VerifyOptions, 'decodeRecord'> {
  /** Decodes the record bytes; the readable fields are re-derived from what it decodes. */
  registry: SchemaRegistry;
}

export interface DocumentReport {
  valid: boolean;
  /** A bare evidence bundle, or a document: readable fields beside the bundle. */
  kind: 'bundle' | 'document';
  /** The content hash the verified bundle names (absent when the input is not even shaped like one). */
  contentHash?: string;
  /** One report per checkpoint the document carries a proof against. */
  reports: { against: 'notarization checkpoint' | 'latest checkpoint'; report: VerificationReport }[];
  /** For documents: do the readable fields equal what the verified record gives? */
  fields?: VerificationCheck;
  /** The readable fields as derived from the verified record (when the bundle verifies): what a CSV row must show. */
  derived?: EvidenceSummary;
}

/** The readable fields a document may carry beside `bundle`; `tenant` and `latest` are optional. */
const DOCUMENT_FIELDS = new Set<string>([...EVIDENCE_SUMMARY_FIELDS, 'tenant', 'record', 'bundle', 'latest']);
const LATEST_FIELDS = ['checkpoint', 'size', 'root_hash', 'inclusion_proof'] as const;

/**
 * Verify what an auditor reads (invariant 6): an evidence document from the
 * API, a list page or an NDJSON export line, or a bare bundle. The bundle is
 * verified offline; then every readable field is derived again from the
 * verified record bytes and statement and compared, so a document whose
 * fields disagree with its record is invalid, with the fields named. A field
 * the verifier does not know is a disagreement too.
 */
export function verifyEvidenceDocument(input: unknown, options: DocumentVerifyOptions): DocumentReport {
  const decodeRecord = (bytes: Uint8Array) => options.registry.decode(bytes);
  const verifyOptions: VerifyOptions = { ...options, decodeRecord };
  if (!isObject(input)) return invalidShape('bundle', 'not a JSON object');
  if (input.format === SIGNED_RECORD_FORMAT || !('bundle' in input)) {
    const bundle = input as unknown as SignedRecord;
    const report = verifySignedRecord(bundle, verifyOptions);
    const derived = report.valid ? derive(bundle, report, options.registry).summary : undefined;
    return { valid: report.valid, kind: 'bundle', ...hashOf(report), reports: [{ against: 'notarization checkpoint', report }], ...(derived ? { derived } : {}) };
  }

  const document = input;
  const bundle = document.bundle as SignedRecord;
  const reports: DocumentReport['reports'] = [{ against: 'notarization checkpoint', report: verifySignedRecord(bundle, verifyOptions) }];
  const problems: string[] = [];
  const unknown = Object.keys(document).filter((k) => !DOCUMENT_FIELDS.has(k));
  if (unknown.length > 0) problems.push(`unexpected field(s) ${unknown.join(', ')}`);

  const latest = document.latest;
  if (latest !== undefined && latest !== null) {
    const latestProblem = latestShapeProblem(latest);
    if (latestProblem) problems.push(latestProblem);
    else {
      const l = latest as { checkpoint: string; size: number; root_hash: string; inclusion_proof: string[] };
      const report = verifySignedRecord({ ...bundle, checkpoint: l.checkpoint, inclusion_proof: l.inclusion_proof }, { ...verifyOptions, laterCheckpoint: true });
      reports.push({ against: 'latest checkpoint', report });
      if (report.checkpoint) {
        if (l.size !== report.checkpoint.size) problems.push(`latest.size: the document says ${JSON.stringify(l.size)}, its checkpoint ${report.checkpoint.size}`);
        const root = Buffer.from(report.checkpoint.rootHash).toString('hex');
        if (l.root_hash !== root) problems.push(`latest.root_hash: the document says ${JSON.stringify(l.root_hash)}, its checkpoint ${root}`);
      }
    }
  }

  const verified = reports[0]!.report;
  let derived: EvidenceSummary | undefined;
  if (verified.valid && verified.statement) {
    if ('tenant' in document && document.tenant !== verified.statement.tenant) {
      problems.push(`tenant: the document says ${JSON.stringify(document.tenant)}, the verified record ${JSON.stringify(verified.statement.tenant)}`);
    }
    const compared = derive(bundle, verified, options.registry, document);
    problems.push(...compared.problems);
    derived = compared.summary;
  }
  const fields: VerificationCheck = problems.length === 0
    ? { name: 'readable_fields', ok: true, detail: 'every readable field equals what the verified record gives' }
    : { name: 'readable_fields', ok: false, detail: problems.join('; ') };
  const valid = reports.every((r) => r.report.valid) && fields.ok && verified.valid;
  return {
    valid,
    kind: 'document',
    ...hashOf(verified),
    reports,
    fields: verified.valid ? fields : { name: 'readable_fields', ok: false, detail: 'not compared: the bundle itself does not verify' },
    ...(derived ? { derived } : {}),
  };
}

/**
 * The readable fields derived from the verified bytes, and (given a document)
 * how the document's differ. The record may have been resolved to any schema
 * version from the writer's to the newest this build knows (older builds
 * resolved to their newest), so each is tried; the closest is reported.
 */
function derive(bundle: SignedRecord, verified: VerificationReport, registry: SchemaRegistry, document?: Record<string, unknown>): { summary: EvidenceSummary; problems: string[] } {
  const bytes = Buffer.from(bundle.record, 'base64');
  const writer = registry.decode(bytes);
  const versions = registry.versions(writer.recordType).map((v) => v.version).filter((v) => v >= writer.version);
  let best: { summary: EvidenceSummary; problems: string[] } | null = null;
  for (const version of versions.reverse()) {
    const decoded = registry.decode(bytes, { readerVersion: version });
    const summary = deriveEvidenceSummary({ recordType: decoded.recordType, value: decoded.value as Record<string, unknown> }, verified.statement!);
    if (document === undefined) return { summary, problems: [] };
    const json = registry.toJson(decoded.recordType as RecordType, decoded.value, { version });
    const problems = [...summaryProblems(document, summary), ...diffPaths('record', document.record, json).map((p) => `${p}: differs from the verified record`)];
    if (problems.length === 0) return { summary, problems };
    if (best === null || problems.length < best.problems.length) best = { summary, problems };
  }
  return best!;
}

function summaryProblems(document: Record<string, unknown>, summary: EvidenceSummary): string[] {
  const problems: string[] = [];
  for (const field of EVIDENCE_SUMMARY_FIELDS) {
    if (!(field in document)) problems.push(`${field}: missing`);
    else if (!isDeepStrictEqual(document[field], summary[field])) {
      problems.push(`${field}: the document says ${JSON.stringify(document[field])}, the verified record ${JSON.stringify(summary[field])}`);
    }
  }
  return problems;
}

/** Paths where two JSON values differ (object key order does not matter), at most a few. */
function diffPaths(path: string, a: unknown, b: unknown, out: string[] = []): string[] {
  if (out.length >= 5) return out;
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(`${path}.${key}`, a[key], b[key], out);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => diffPaths(`${path}[${i}]`, item, b[i], out));
  } else if (!isDeepStrictEqual(a, b)) {
    out.push(path);
  }
  return out;
}

function latestShapeProblem(latest: unknown): string | null {
  if (!isObject(latest)) return 'latest: not an object';
  const keys = Object.keys(latest);
  const extra = keys.filter((k) => !(LATEST_FIELDS as readonly string[]).includes(k));
  if (extra.length > 0) return `latest: unexpected field(s) ${extra.join(', ')}`;
  const missing = LATEST_FIELDS.filter((k) => !(k in latest));
  if (missing.length > 0) return `latest: missing ${missing.join(', ')}`;
  if (typeof latest.checkpoint !== 'string' || !Array.isArray(latest.inclusion_proof) || !latest.inclusion_proof.every((p) => typeof p === 'string')) {
    return 'latest: checkpoint or inclusion_proof has the wrong type';
  }
  return null;
}

function invalidShape(kind: DocumentReport['kind'], detail: string): DocumentReport {
  return { valid: false, kind, reports: [{ against: 'notarization checkpoint', report: { valid: false, checks: [{ name: 'format', ok: false, detail }] } }] };
}

function hashOf(report: VerificationReport): { contentHash?: string } {
  return report.statement ? { contentHash: report.statement.content_hash } : {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
