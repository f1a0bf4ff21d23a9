/**
 * The gate input document: what a promotion or deployment policy sees about
 * one run, built from warehouse rows only (pure), so an auditor can rebuild
 * it from the same records and check the decision's input digest.
 */

export const GATE_INPUT_SCHEMA = 'probity.gate-input.v1';
export const GATES = ['promotion', 'deployment'] as const;
export type GateName = (typeof GATES)[number];

export function isGateName(value: string): value is GateName {
  return (GATES as readonly string[]).includes(value);
}

/** One evidence row as the gate reads it: the record in its JSON mapping and whether its emitter signed it. */
export interface GateEvidenceRow {
  record_type: string;
  content_hash: string;
  /** ISO-8601. */
  occurred_at: string;
  record: Record<string, unknown>;
  /** The evidence bundle carries an emitter envelope the notary verified. */
  emitter_signed: boolean;
}

export interface GateEvaluation {
  content_hash: string;
  dataset_split: string;
  metrics: Record<string, number>;
  thresholds: Record<string, number>;
  passed_thresholds: boolean;
}

export interface GateApproval {
  stage: string;
  role: string;
  principal: string;
  /** APPROVED, REJECTED, or UNKNOWN when the emitter gave none. */
  decision: string;
  at: string;
  /** The manifest carrying the approval was signed by a registered emitter key. */
  emitter_signed: boolean;
  content_hash: string;
}

export interface GateDataset {
  id: string;
  sha256: string;
  uri: string;
  /** From the label `consent.<id>` or `consent` of a manifest naming the dataset; null when none says. */
  consent: boolean | null;
}

export interface GateStudy {
  study_id: string;
  verdict: string;
  occurred_at: string;
  content_hash: string;
}

export interface GateIncident {
  incident_id: string;
  severity: string;
  status: string;
  serious: boolean;
  occurred_at: string;
  content_hash: string;
}

export interface GateInput {
  schema: typeof GATE_INPUT_SCHEMA;
  tenant: string;
  gate: GateName;
  run_id: string;
  model: { id: string | null; version: string | null };
  /** Stages with at least one manifest for the run, sorted. */
  stages: string[];
  evaluations: GateEvaluation[];
  approvals: GateApproval[];
  signatures: { records: number; emitter_signed: number };
  datasets: GateDataset[];
  /** The model's latest drift and calibration studies (any run), or null. */
  drift: GateStudy | null;
  calibration: GateStudy | null;
  /** The model's incidents whose latest record is not RESOLVED. */
  open_incidents: GateIncident[];
  /** Every record the document was built from, by content hash, sorted. */
  evidence: string[];
}

export interface GateInputRequest {
  tenant: string;
  gate: GateName;
  runId: string;
  /** The run's records (any type with this run_id). */
  runRows: readonly GateEvidenceRow[];
  /** The model's StudyResult and Incident records (any run). */
  modelRows: readonly GateEvidenceRow[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const byTimeThenHash = (a: { occurred_at: string; content_hash: string }, b: { occurred_at: string; content_hash: string }) =>
  a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.content_hash < b.content_hash ? -1 : a.content_hash > b.content_hash ? 1 : 0;

function numberMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (v && typeof v === 'object') for (const [k, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'number' && Number.isFinite(n)) out[k] = n;
  return out;
}

function consentOf(value: string | undefined): boolean | null {
  if (value === undefined) return null;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'granted', 'given'].includes(v)) return true;
  if (['false', 'no', 'withdrawn', 'refused', 'denied'].includes(v)) return false;
  return null;
}

/** Builds the input document; the same rows in any order give the same document. */
export function buildGateInput(request: GateInputRequest): GateInput {
  const runRows = [...request.runRows].sort(byTimeThenHash);
  const manifests = runRows.filter((r) => r.record_type === 'EvidenceManifest');
  const stages = new Set<string>();
  const evaluations: GateEvaluation[] = [];
  const approvals = new Map<string, GateApproval>();
  const datasets = new Map<string, GateDataset>();
  let modelId: string | null = null;
  let modelVersion: string | null = null;

  for (const row of manifests) {
    const m = row.record;
    const stage = str(m.stage);
    if (stage) stages.add(stage);
    modelId = strOrNull(m.model_id) ?? modelId;
    modelVersion = strOrNull(m.model_version) ?? modelVersion;
    const details = (m.details ?? null) as Record<string, Record<string, unknown>> | null;
    const evaluation = details?.evaluation;
    if (stage === 'EVALUATION' && evaluation) {
      evaluations.push({
        content_hash: row.content_hash,
        dataset_split: str(evaluation.dataset_split),
        metrics: numberMap(evaluation.metrics),
        thresholds: numberMap(evaluation.thresholds),
        passed_thresholds: evaluation.passed_thresholds === true,
      });
    }
    for (const a of Array.isArray(m.approvals) ? (m.approvals as Record<string, unknown>[]) : []) {
      const approval: GateApproval = {
        stage, role: str(a.role), principal: str(a.principal), decision: str(a.decision) || 'UNKNOWN', at: str(a.at),
        emitter_signed: row.emitter_signed, content_hash: row.content_hash,
      };
      // One entry per (stage, role, principal): the latest record's word stands.
      approvals.set(`${stage}\u0000${approval.role}\u0000${approval.principal}`, approval);
    }
    const labels = (m.labels ?? {}) as Record<string, string>;
    const attributes = (details?.generic?.attributes ?? {}) as Record<string, string>;
    const said = (key: string) => labels[key] ?? attributes[key];
    for (const artifact of [...((m.inputs as unknown[]) ?? []), ...((m.outputs as unknown[]) ?? [])] as Record<string, unknown>[]) {
      if (artifact.kind !== 'DATASET') continue;
      const id = str(artifact.id);
      const consent = consentOf(said(`consent.${id}`) ?? said('consent'));
      const key = str(artifact.sha256) || id;
      const seen = datasets.get(key);
      // A later refusal overrides an earlier grant; silence changes nothing.
      datasets.set(key, { id, sha256: str(artifact.sha256), uri: str(artifact.uri), consent: consent ?? seen?.consent ?? null });
    }
  }

  const modelRows = [...request.modelRows].sort(byTimeThenHash);
  const latestStudy = (kind: string): GateStudy | null => {
    const found = modelRows.filter((r) => r.record_type === 'StudyResult' && r.record.kind === kind).at(-1);
    return found ? { study_id: str(found.record.study_id), verdict: str(found.record.verdict) || 'UNKNOWN', occurred_at: found.occurred_at, content_hash: found.content_hash } : null;
  };
  const incidents = new Map<string, GateIncident>();
  for (const row of modelRows) {
    if (row.record_type !== 'Incident') continue;
    const i = row.record;
    incidents.set(str(i.incident_id), {
      incident_id: str(i.incident_id), severity: str(i.severity) || 'UNKNOWN', status: str(i.status) || 'UNKNOWN', serious: i.serious === true,
      occurred_at: row.occurred_at, content_hash: row.content_hash,
    });
  }

  const evidence = new Set([...runRows, ...modelRows].map((r) => r.content_hash));
  return {
    schema: GATE_INPUT_SCHEMA,
    tenant: request.tenant,
    gate: request.gate,
    run_id: request.runId,
    model: { id: modelId, version: modelVersion },
    stages: [...stages].sort(),
    evaluations,
    approvals: [...approvals.values()].sort((a, b) => byTimeThenHash({ occurred_at: a.at, content_hash: a.principal + a.role }, { occurred_at: b.at, content_hash: b.principal + b.role })),
    signatures: { records: runRows.length, emitter_signed: runRows.filter((r) => r.emitter_signed).length },
    datasets: [...datasets.values()].sort((a, b) => (a.sha256 + a.id < b.sha256 + b.id ? -1 : 1)),
    drift: latestStudy('DRIFT'),
    calibration: latestStudy('CALIBRATION'),
    open_incidents: [...incidents.values()].filter((i) => i.status !== 'RESOLVED').sort(byTimeThenHash),
    evidence: [...evidence].sort(),
  };
}
