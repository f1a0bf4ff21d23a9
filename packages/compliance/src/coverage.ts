import { ComplianceError } from './errors.js';
import { periodsBetween, type Granularity, type Period } from './periods.js';
import type { EvidenceMatcher, RequirementSet } from './requirements.js';

/** What coverage needs of one notarized record (all derivable from the record and its statement). */
export interface CoverageRecord {
  contentHash: string;
  recordType: string;
  stage: string;
  /** Controls the emitter tagged the record with. */
  controls: readonly string[];
  /** When it happened, ms since the epoch. */
  occurredAt: number;
  /** When the log learned of it (the statement's time), ms since the epoch. */
  notarizedAt: number;
  /** StudyResult: study id, kind and verdict. */
  studyId?: string;
  studyKind?: string;
  verdict?: string;
  /** Incident: id and status. */
  incidentId?: string;
  incidentStatus?: string;
}

export type CellState = 'covered' | 'stale' | 'missing' | 'nonconforming' | 'not_applicable';

export interface Applicability {
  applicable: boolean;
  justification?: string;
  owner?: string;
}

export interface CoverageRequest {
  controls: readonly { id: string; title?: string }[];
  requirements: RequirementSet;
  /** The tenant's records (of one AI system, or all), notarized at any time. */
  records: Iterable<CoverageRecord>;
  from: Date;
  to: Date;
  granularity: Granularity;
  /** What the log held at this time is what counts: the answer for a past as-of date never changes. */
  asOf: Date;
  /** The Statement of Applicability as of `asOf`; controls absent from it are applicable. */
  applicability?: ReadonlyMap<string, Applicability>;
  /** Hashes listed per cell at most (counts are always complete). @defaultValue 50 */
  maxListed?: number;
}

export interface CoverageCell {
  period: string;
  state: CellState;
  /** Records in the period that count for the control (conforming or not). */
  records: number;
  evidence: string[];
  /** Records of the period notarized after it closed (plus the grace): shown, never counted. */
  late: string[];
  lateRecords: number;
  /** The newest counting record up to the period's end, when there is one. */
  newest?: { contentHash: string; occurredAt: string };
  /** Why the state is what it is, in a sentence. */
  reason: string;
  /** Records that make it nonconforming (failed studies, open incidents). */
  findings: string[];
}

export interface CoverageRow {
  control: string;
  title?: string;
  kind: 'automated' | 'manual';
  applicability: Applicability;
  cells: CoverageCell[];
}

export interface CoverageMatrix {
  from: string;
  to: string;
  asOf: string;
  granularity: Granularity;
  requirements: { id: string; version: string };
  periods: Period[];
  rows: CoverageRow[];
  /** Per period: how many controls are in each state. */
  totals: Record<string, Record<CellState, number>>;
}

type Conformity = 'conforming' | 'nonconforming' | 'neutral';

/**
 * A study that passed (or only warned) is evidence of conformity, one that
 * failed of a nonconformity; a study without enough data is neither. An
 * incident that is not resolved is an open nonconformity; a resolved one is
 * evidence that it was handled.
 */
export function conformityOf(record: CoverageRecord): Conformity {
  if (record.recordType === 'StudyResult') {
    if (record.verdict === 'PASS' || record.verdict === 'WARNING') return 'conforming';
    if (record.verdict === 'FAIL' || record.verdict === 'CRITICAL') return 'nonconforming';
    return 'neutral';
  }
  if (record.recordType === 'Incident') {
    if (record.incidentStatus === 'RESOLVED') return 'conforming';
    if (record.incidentStatus === 'OPEN' || record.incidentStatus === 'MITIGATED') return 'nonconforming';
    return 'neutral';
  }
  return 'conforming';
}

interface Relevant {
  record: CoverageRecord;
  conformity: Conformity;
  maxAgeMs: number;
}

/**
 * Coverage of each control in each period as known at `asOf`: a pure function
 * of records, requirements and applicability, so an auditor can recompute every
 * cell from an audit package. The cell states are defined in docs/compliance.md.
 */
export function computeCoverage(request: CoverageRequest): CoverageMatrix {
  const { requirements, asOf } = request;
  const asOfMs = asOf.getTime();
  if (!Number.isFinite(asOfMs)) throw new ComplianceError('COVERAGE_REQUEST_INVALID', 'as-of must be a date');
  const periods = periodsBetween(request.from, request.to, request.granularity);
  const maxListed = request.maxListed ?? 50;
  const byControl = relevantRecords(request, asOfMs);

  const totals: CoverageMatrix['totals'] = {};
  for (const p of periods) totals[p.label] = { covered: 0, stale: 0, missing: 0, nonconforming: 0, not_applicable: 0 };
  const rows: CoverageRow[] = request.controls.map(({ id, title }) => {
    const applicability = request.applicability?.get(id) ?? { applicable: true };
    const requirement = requirements.byControl.get(id);
    const relevant = byControl.get(id) ?? [];
    const cells = periods.map((period) => {
      const cell = applicability.applicable ? evaluateCell(period, relevant, requirements.lateAfterMs, asOfMs, maxListed) : notApplicable(period, applicability);
      totals[period.label]![cell.state] += 1;
      return cell;
    });
    return { control: id, ...(title ? { title } : {}), kind: requirement?.kind ?? 'manual', applicability, cells };
  });
  return {
    from: request.from.toISOString(),
    to: request.to.toISOString(),
    asOf: asOf.toISOString(),
    granularity: request.granularity,
    requirements: { id: requirements.id, version: requirements.version },
    periods,
    rows,
    totals,
  };
}

/** Per control, the records known at `asOf` that count for it, oldest first. */
function relevantRecords(request: CoverageRequest, asOfMs: number): Map<string, Relevant[]> {
  const wanted = new Set(request.controls.map((c) => c.id));
  // Matchers indexed by record type, so each record is compared with its own kind's only.
  const matchersByType = new Map<string, { control: string; matcher: EvidenceMatcher }[]>();
  for (const requirement of request.requirements.byControl.values()) {
    if (!wanted.has(requirement.control)) continue;
    for (const matcher of requirement.evidence) {
      const list = matchersByType.get(matcher.recordType) ?? [];
      list.push({ control: requirement.control, matcher });
      matchersByType.set(matcher.recordType, list);
    }
  }
  const out = new Map<string, Relevant[]>();
  for (const record of request.records) {
    if (record.notarizedAt > asOfMs) continue;
    const conformity = conformityOf(record);
    if (conformity === 'neutral') continue;
    const ages = new Map<string, number>();
    for (const { control, matcher } of matchersByType.get(record.recordType) ?? []) {
      if (matcher.stages && !matcher.stages.includes(record.stage)) continue;
      if (matcher.studyKinds && !matcher.studyKinds.includes(record.studyKind ?? '')) continue;
      ages.set(control, Math.max(ages.get(control) ?? 0, matcher.maxAgeMs));
    }
    for (const control of record.controls) {
      if (wanted.has(control)) ages.set(control, Math.max(ages.get(control) ?? 0, request.requirements.taggedMaxAgeMs));
    }
    for (const [control, maxAgeMs] of ages) {
      const list = out.get(control) ?? [];
      list.push({ record, conformity, maxAgeMs });
      out.set(control, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.record.occurredAt - b.record.occurredAt || (a.record.contentHash < b.record.contentHash ? -1 : 1));
  return out;
}

function evaluateCell(period: Period, relevant: readonly Relevant[], lateAfterMs: number, asOfMs: number, maxListed: number): CoverageCell {
  // Records that count for this period: notarized before it closed (plus the grace) and known at as-of.
  const timely = (r: Relevant) => r.record.notarizedAt <= period.end + lateAfterMs;
  const at = Math.min(period.end, asOfMs);
  const inPeriod = relevant.filter((r) => r.record.occurredAt >= period.start && r.record.occurredAt < period.end);
  const counted = inPeriod.filter(timely);
  const late = inPeriod.filter((r) => !timely(r));
  const upToEnd = relevant.filter((r) => r.record.occurredAt < period.end && timely(r));

  const findings = openFindings(upToEnd);
  const newestConforming = [...upToEnd].reverse().find((r) => r.conformity === 'conforming');
  const base = {
    period: period.label,
    records: counted.length,
    evidence: counted.slice(-maxListed).map((r) => r.record.contentHash),
    late: late.slice(0, maxListed).map((r) => r.record.contentHash),
    lateRecords: late.length,
    ...(newestConforming ? { newest: { contentHash: newestConforming.record.contentHash, occurredAt: new Date(newestConforming.record.occurredAt).toISOString() } } : {}),
    findings: findings.map((r) => r.record.contentHash),
  };
  if (findings.length > 0) {
    return { ...base, state: 'nonconforming', reason: `${findings.length} open finding(s) at the period's end: ${describeFinding(findings[0]!.record)}` };
  }
  if (!newestConforming) {
    const lateNote = late.length > 0 ? ` (${late.length} record(s) of the period were notarized late and do not count)` : '';
    return { ...base, state: 'missing', reason: `no evidence up to the period's end${lateNote}` };
  }
  const age = at - newestConforming.record.occurredAt;
  if (age <= newestConforming.maxAgeMs) {
    return { ...base, state: 'covered', reason: `newest evidence ${days(age)} old, within ${days(newestConforming.maxAgeMs)}` };
  }
  return { ...base, state: 'stale', reason: `newest evidence ${days(age)} old, more than the ${days(newestConforming.maxAgeMs)} allowed` };
}

/**
 * Nonconformities still open at the period's end: per study, its latest
 * result failed; per incident, its latest state is not resolved.
 */
function openFindings(upToEnd: readonly Relevant[]): Relevant[] {
  const latestByStudy = new Map<string, Relevant>();
  const latestByIncident = new Map<string, Relevant>();
  for (const r of upToEnd) {
    if (r.record.recordType === 'StudyResult') {
      const key = r.record.studyId ?? r.record.contentHash;
      const seen = latestByStudy.get(key);
      if (!seen || r.record.occurredAt >= seen.record.occurredAt) latestByStudy.set(key, r);
    } else if (r.record.recordType === 'Incident') {
      // An incident's records share its occurrence time; its lifecycle is the order the log learned them.
      const key = r.record.incidentId ?? r.record.contentHash;
      const seen = latestByIncident.get(key);
      if (!seen || r.record.notarizedAt >= seen.record.notarizedAt) latestByIncident.set(key, r);
    }
  }
  return [...latestByStudy.values(), ...latestByIncident.values()].filter((r) => r.conformity === 'nonconforming');
}

function describeFinding(record: CoverageRecord): string {
  if (record.recordType === 'StudyResult') return `study ${record.studyId ?? '?'} last ended ${record.verdict} (${record.contentHash.slice(0, 12)}…)`;
  return `incident ${record.incidentId ?? '?'} is ${record.incidentStatus} (${record.contentHash.slice(0, 12)}…)`;
}

function notApplicable(period: Period, applicability: Applicability): CoverageCell {
  return {
    period: period.label,
    state: 'not_applicable',
    records: 0,
    evidence: [],
    late: [],
    lateRecords: 0,
    reason: `excluded by the Statement of Applicability${applicability.justification ? `: ${applicability.justification}` : ''}`,
    findings: [],
  };
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return d >= 1 ? `${Math.floor(d)} d` : `${Math.max(0, Math.round(ms / 3_600_000))} h`;
}
