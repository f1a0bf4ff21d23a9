import type { CoverageRecord } from '@probity/compliance';
import type { PackageRequest } from './format.js';

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
