/** DSSE payload type of the package manifest: its own, so no other Probity signature can pass as one. */
export const AUDIT_PACKAGE_PAYLOAD_TYPE = 'application/vnd.probity.audit-package.v1+json';
export const AUDIT_PACKAGE_FORMAT = 'probity.audit-package/v1';

/** Files of a package, in archive order. The manifest comes first, the inputs before the records, the derived files last. */
export const PACKAGE_FILES = {
  manifest: 'manifest.dsse.json',
  keyring: 'keyring.json',
  checkpoints: 'checkpoints.json',
  consistency: 'consistency.json',
  requirements: 'data/requirements.json',
  catalog: 'data/catalog.json',
  applicability: 'data/applicability.json',
  records: 'records.ndjson',
  soa: 'soa.json',
  coverage: 'coverage.json',
  gaps: 'gaps.json',
  kpis: 'kpis.json',
  incidents: 'incidents.json',
  oversight: 'oversight.json',
  oscalResults: 'oscal/assessment-results.json',
  oscalPoam: 'oscal/poam.json',
  report: 'report.html',
} as const;

/** Files computed from the inputs and the records: the verifier computes them again and compares bytes. */
export const DERIVED_FILES = [
  PACKAGE_FILES.soa, PACKAGE_FILES.coverage, PACKAGE_FILES.gaps, PACKAGE_FILES.kpis, PACKAGE_FILES.incidents,
  PACKAGE_FILES.oversight, PACKAGE_FILES.oscalResults, PACKAGE_FILES.oscalPoam, PACKAGE_FILES.report,
] as const;

export interface PackageRequest {
  tenant: string;
  framework: string;
  /** ISO date-times; `to` exclusive. */
  from: string;
  to: string;
  granularity: 'month' | 'quarter';
  as_of: string;
  model_id: string | null;
}

/** One signed checkpoint per shard: every record's proof in the package is against its shard's. */
export interface PackageCheckpoint {
  shard: number;
  size: number;
  /** Lowercase hex. */
  root_hash: string;
  /** The C2SP signed note. */
  signed_note: string;
}

/** Proof that the log at an earlier checkpoint (e.g. one an earlier package used) is a prefix of the log at this package's. */
export interface PackageConsistencyProof {
  shard: number;
  from: PackageCheckpoint;
  to_size: number;
  /** Base64 hashes, RFC 6962 order. */
  proof: string[];
}

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

export interface AuditPackageManifest {
  format: typeof AUDIT_PACKAGE_FORMAT;
  created_at: string;
  request: PackageRequest;
  requirements: { id: string; version: string; sha256: string };
  /** Which control list was used: its source and the SHA-256 of data/catalog.json. */
  catalog: { name: string; framework: string; controls: number; sha256: string };
  /** Where the Statement of Applicability came from. */
  soa: { source: 'derived-all-applicable' | 'applicability-map' | 'soa-records' };
  checkpoints: { shard: number; size: number; root_hash: string }[];
  records: number;
  /** Every file of the archive but the manifest itself, in archive order. */
  files: ManifestFile[];
}

/** data/catalog.json: the controls coverage was computed against. */
export interface PackageCatalog {
  name: string;
  framework: string;
  /** The catalog data files the controls come from, when the catalog names them. */
  sources?: { framework: string; edition: string; version: number }[];
  controls: { id: string; title?: string }[];
}

/** soa.json entries given to the build (none: every control applicable). */
export interface SoaEntry {
  control: string;
  applicable: boolean;
  justification?: string;
  owner?: string;
}

/** The part of the manifest the derived files depend on (everything but the file list). */
export type DerivedManifest = Pick<AuditPackageManifest, 'created_at' | 'request' | 'requirements' | 'catalog' | 'checkpoints' | 'records'> & Partial<Pick<AuditPackageManifest, 'soa'>>;
