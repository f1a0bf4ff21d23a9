import { createHash } from 'node:crypto';
import { computeCoverage, gapAnalysis, type Applicability, type CoverageMatrix, type CoverageRecord, type Gap, type RequirementSet } from '@probity/compliance';
import { PACKAGE_FILES, type AuditPackageManifest, type PackageCatalog, type PackageRequest, type SoaEntry } from './format.js';
import { assessmentResults, planOfActionAndMilestones } from './oscal.js';
import { renderReport } from './report.js';

/** What the package's derived files need of one verified evidence document. */
export interface PackagedDocument {
  content_hash: string;
  record_type: string;
  stage: string;
  controls: readonly string[];
  occurred_at: string;
  notarized_at: string;
  model_id: string;
  record: unknown;
}

export interface KpiPoint {
  occurred_at: string;
  verdict: string;
  content_hash: string;
  results: { name: string; method: string; statistic: number | null; threshold: number | null; verdict: string }[];
}

export interface KpiSeries {
  study_id: string;
  kind: string;
  model_id: string;
  points: KpiPoint[];
}

export interface IncidentEvent {
  status: string;
  severity: string;
  notarized_at: string;
  content_hash: string;
  title: string;
  corrective_actions: string[];
}

export interface IncidentTimeline {
  incident_id: string;
  model_id: string;
  occurred_at: string;
  detected_at: string | null;
  /** Detection minus occurrence, in hours (the response time). */
  response_hours: number | null;
  /** When the log first learned it was resolved, and how long after it occurred (hours). */
  resolved_at: string | null;
  resolution_hours: number | null;
  status: string;
  events: IncidentEvent[];
}

export interface OversightEntry {
  occurred_at: string;
  event_id: string;
  action: string;
  principal: string;
  model_id: string;
  incident_id: string | null;
  reason: string;
  content_hash: string;
}

const ms = (iso: string) => Date.parse(iso);
const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The coverage view of a verified document: the same fields `EvidenceRepository.coverageRecords` reads from the warehouse. */
export function coverageRecordOf(doc: PackagedDocument): CoverageRecord {
  const record = (doc.record ?? {}) as Record<string, unknown>;
  return {
    contentHash: doc.content_hash,
    recordType: doc.record_type,
    stage: doc.stage,
    controls: [...doc.controls],
    occurredAt: ms(doc.occurred_at),
    notarizedAt: ms(doc.notarized_at),
    ...(doc.record_type === 'StudyResult' && str(record.study_id) !== ''
      ? { studyId: str(record.study_id), studyKind: str(record.kind), verdict: str(record.verdict) }
      : {}),
    ...(doc.record_type === 'Incident' && str(record.incident_id) !== '' ? { incidentId: str(record.incident_id), incidentStatus: str(record.status) } : {}),
  };
}

/**
 * Collects, one document at a time, what the derived files need: the
 * coverage view of every record, study results, incident states and
 * oversight events (small projections; the records themselves stay in the
 * archive). The builder and the verifier both feed it, so both derive the
 * same files from the same records.
 */
export class PackageAccumulator {
  readonly coverage: CoverageRecord[] = [];
  private readonly studies = new Map<string, KpiSeries>();
  private readonly incidents = new Map<string, { model_id: string; occurred_at: string; detected_at: string | null; events: IncidentEvent[] }>();
  private readonly oversight: OversightEntry[] = [];

  constructor(private readonly request: PackageRequest) {}

  add(doc: PackagedDocument): void {
    this.coverage.push(coverageRecordOf(doc));
    const record = (doc.record ?? {}) as Record<string, unknown>;
    const inPeriod = ms(doc.occurred_at) >= ms(this.request.from) && ms(doc.occurred_at) < ms(this.request.to);
    if (doc.record_type === 'StudyResult' && inPeriod) {
      const id = str(record.study_id);
      const series = this.studies.get(id) ?? { study_id: id, kind: str(record.kind), model_id: doc.model_id, points: [] };
      this.studies.set(id, series);
      const results = Array.isArray(record.results) ? (record.results as Record<string, unknown>[]) : [];
      series.points.push({
        occurred_at: doc.occurred_at,
        verdict: str(record.verdict),
        content_hash: doc.content_hash,
        results: results.map((r) => ({ name: str(r.name), method: str(r.method), statistic: num(r.statistic), threshold: num(r.threshold), verdict: str(r.verdict) })),
      });
    } else if (doc.record_type === 'Incident') {
      const id = str(record.incident_id);
      const incident = this.incidents.get(id) ?? { model_id: doc.model_id, occurred_at: doc.occurred_at, detected_at: str(record.detected_at) || null, events: [] };
      this.incidents.set(id, incident);
      incident.events.push({
        status: str(record.status),
        severity: str(record.severity),
        notarized_at: doc.notarized_at,
        content_hash: doc.content_hash,
        title: str(record.title),
        corrective_actions: Array.isArray(record.corrective_actions) ? record.corrective_actions.map(str) : [],
      });
    } else if (doc.record_type === 'OversightEvent' && inPeriod) {
      const principal = (record.principal ?? {}) as Record<string, unknown>;
      this.oversight.push({
        occurred_at: doc.occurred_at,
        event_id: str(record.event_id),
        action: str(record.action),
        principal: str(principal.id),
        model_id: doc.model_id,
        incident_id: str(record.incident_id) || null,
        reason: str(record.reason),
        content_hash: doc.content_hash,
      });
    }
  }

  kpis(): KpiSeries[] {
    const byTime = (a: KpiPoint, b: KpiPoint) => ms(a.occurred_at) - ms(b.occurred_at) || (a.content_hash < b.content_hash ? -1 : 1);
    return [...this.studies.values()].map((s) => ({ ...s, points: [...s.points].sort(byTime) })).sort((a, b) => (a.study_id < b.study_id ? -1 : 1));
  }

  incidentTimeline(): IncidentTimeline[] {
    const out: IncidentTimeline[] = [];
    for (const [incident_id, i] of this.incidents) {
      // An incident's lifecycle is the order the log learned its records.
      const events = [...i.events].sort((a, b) => ms(a.notarized_at) - ms(b.notarized_at) || (a.content_hash < b.content_hash ? -1 : 1));
      const resolved = events.find((e) => e.status === 'RESOLVED');
      const hours = (a: string, b: string) => Math.round(((ms(b) - ms(a)) / 3_600_000) * 100) / 100;
      out.push({
        incident_id,
        model_id: i.model_id,
        occurred_at: i.occurred_at,
        detected_at: i.detected_at,
        response_hours: i.detected_at ? hours(i.occurred_at, i.detected_at) : null,
        resolved_at: resolved?.notarized_at ?? null,
        resolution_hours: resolved ? hours(i.occurred_at, resolved.notarized_at) : null,
        status: events[events.length - 1]?.status ?? '',
        events,
      });
    }
    return out.sort((a, b) => ms(a.occurred_at) - ms(b.occurred_at) || (a.incident_id < b.incident_id ? -1 : 1));
  }

  oversightLog(): OversightEntry[] {
    return [...this.oversight].sort((a, b) => ms(a.occurred_at) - ms(b.occurred_at) || (a.content_hash < b.content_hash ? -1 : 1));
  }
}

export interface DeriveInputs {
  manifest: Pick<AuditPackageManifest, 'created_at' | 'request' | 'requirements' | 'catalog' | 'checkpoints' | 'records'>;
  requirements: RequirementSet;
  catalog: PackageCatalog;
  applicability: SoaEntry[];
  accumulator: PackageAccumulator;
}

export interface DerivedFiles {
  files: Map<string, Buffer>;
  matrix: CoverageMatrix;
  gaps: Gap[];
}

/** Stable JSON text of a derived file. */
export function jsonFile(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Every derived file of a package, a pure function of the manifest's
 * request, the data files and the records: the builder writes them and the
 * verifier computes them again from the package alone and compares bytes.
 */
export function deriveFiles(inputs: DeriveInputs): DerivedFiles {
  const { request } = inputs.manifest;
  const applicability = new Map<string, Applicability>(
    inputs.applicability.map((e) => [e.control, { applicable: e.applicable, ...(e.justification ? { justification: e.justification } : {}), ...(e.owner ? { owner: e.owner } : {}) }]),
  );
  const matrix = computeCoverage({
    controls: inputs.catalog.controls,
    requirements: inputs.requirements,
    records: inputs.accumulator.coverage,
    from: new Date(request.from),
    to: new Date(request.to),
    granularity: request.granularity,
    asOf: new Date(request.as_of),
    applicability,
  });
  const gaps = gapAnalysis(matrix);
  const soa = {
    framework: request.framework,
    source: inputs.applicability.length === 0 ? 'derived-all-applicable' : 'applicability-map',
    note: 'Derived at build time: no Statement of Applicability records exist yet, so every control is applicable unless the applicability map of data/applicability.json says otherwise.',
    controls: matrix.rows.map((r) => ({ control: r.control, ...(r.title ? { title: r.title } : {}), kind: r.kind, ...r.applicability })),
  };
  const kpis = inputs.accumulator.kpis();
  const incidents = inputs.accumulator.incidentTimeline();
  const oversight = inputs.accumulator.oversightLog();
  const files = new Map<string, Buffer>();
  files.set(PACKAGE_FILES.soa, jsonFile(soa));
  files.set(PACKAGE_FILES.coverage, jsonFile(matrix));
  files.set(PACKAGE_FILES.gaps, jsonFile({ open: gaps.filter((g) => g.status === 'open').length, gaps }));
  files.set(PACKAGE_FILES.kpis, jsonFile(kpis));
  files.set(PACKAGE_FILES.incidents, jsonFile(incidents));
  files.set(PACKAGE_FILES.oversight, jsonFile(oversight));
  files.set(PACKAGE_FILES.oscalResults, jsonFile(assessmentResults(inputs.manifest, matrix)));
  files.set(PACKAGE_FILES.oscalPoam, jsonFile(planOfActionAndMilestones(inputs.manifest, matrix, gaps)));
  files.set(PACKAGE_FILES.report, Buffer.from(renderReport({ manifest: inputs.manifest, matrix, gaps, kpis, incidents, oversight })));
  return { files, matrix, gaps };
}

/** A name-based UUID (version 5 layout over SHA-256), so derived documents are the same bytes on every build. */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
