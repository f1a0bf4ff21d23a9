/**
 * Avro values of the current schema versions, as `decode` returns them and
 * `encode` accepts them (optional fields may be omitted on encode). Hand
 * written: change them with the schemas.
 */

/** Microseconds since 1970-01-01T00:00:00Z (Avro `timestamp-micros`). Exact up to year 2255. */
export type TimestampMicros = number;

// Each enum's default (`UNKNOWN`; `OTHER` for ArtifactKind) is what a reader shows for a symbol added after its version;
// `UNKNOWN` only ever comes out of decode with an older reader: validation refuses it in a value to write.
export type Stage = 'INGEST' | 'PREPROCESS' | 'FEATURES' | 'TRAINING' | 'EVALUATION' | 'REGISTRY' | 'PROMOTION' | 'DEPLOYMENT' | 'INFERENCE' | 'MONITORING' | 'UNKNOWN';
export type PrincipalKind = 'USER' | 'SERVICE' | 'UNKNOWN';
export type ArtifactKind = 'DATASET' | 'MODEL' | 'IMAGE' | 'CODE' | 'REPORT' | 'CONFIG' | 'OTHER';
export type Decision = 'APPROVED' | 'REJECTED' | 'UNKNOWN';
export type RiskClassification = 'MINIMAL' | 'LIMITED' | 'HIGH' | 'UNACCEPTABLE' | 'UNKNOWN';
export type StudyKind = 'DRIFT' | 'CALIBRATION' | 'UNKNOWN';
export type Verdict = 'PASS' | 'WARNING' | 'CRITICAL' | 'INSUFFICIENT_DATA' | 'FAIL' | 'UNKNOWN';
export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' | 'UNKNOWN';
export type IncidentStatus = 'OPEN' | 'MITIGATED' | 'RESOLVED' | 'UNKNOWN';
export type OversightAction = 'REVIEWED' | 'APPROVED' | 'OVERRODE' | 'HALTED' | 'RESUMED' | 'ROLLED_BACK' | 'ESCALATED' | 'UNKNOWN';

export interface Principal {
  kind: PrincipalKind;
  id: string;
  display_name: string | null;
}

export interface Artifact {
  id: string;
  kind: ArtifactKind;
  /** 64 lowercase hex characters. */
  sha256: string;
  uri: string;
  size_bytes: number | null;
  media_type: string | null;
}

export interface Approval {
  role: string;
  principal: string;
  at: TimestampMicros;
  decision: Decision | null;
}

export interface TrainingDetails {
  hyperparameters: Record<string, string>;
  framework: string;
  framework_version: string;
  seed: number | null;
  duration_ms: number;
}

export interface EvaluationDetails {
  metrics: Record<string, number>;
  thresholds: Record<string, number>;
  dataset_split: string;
  passed_thresholds: boolean;
}

export interface DeploymentDetails {
  environment: string;
  endpoint: string;
  image_digest: string;
  previous_version: string | null;
}

export interface MonitoringDetails {
  agent: string;
  agent_version: string;
  metrics: Record<string, number>;
}

export interface IngestDetails {
  source: string;
  row_count: number | null;
  schema_hash: string | null;
}

export interface GenericDetails {
  attributes: Record<string, string>;
}

/** avsc keys a union of records by the branch's full name. */
export type ManifestDetails =
  | { 'io.probity.evidence.TrainingDetails': TrainingDetails }
  | { 'io.probity.evidence.EvaluationDetails': EvaluationDetails }
  | { 'io.probity.evidence.DeploymentDetails': DeploymentDetails }
  | { 'io.probity.evidence.MonitoringDetails': MonitoringDetails }
  | { 'io.probity.evidence.IngestDetails': IngestDetails }
  | { 'io.probity.evidence.GenericDetails': GenericDetails };

/** EvidenceManifest v2 (v1 without `risk_classification`). */
export interface EvidenceManifest {
  tenant: string;
  /** UUID, lowercase; chosen by the emitter so re-sending is idempotent. */
  manifest_id: string;
  run_id: string;
  pipeline_id: string | null;
  model_id: string | null;
  model_version: string | null;
  stage: Stage;
  occurred_at: TimestampMicros;
  principal: Principal;
  inputs: Artifact[];
  outputs: Artifact[];
  commit_sha: string | null;
  approvals: Approval[];
  controls: string[];
  details: ManifestDetails | null;
  summary: string | null;
  labels: Record<string, string>;
  risk_classification: RiskClassification | null;
}

export interface PolicyCheck {
  policy: string;
  passed: boolean;
  detail: string | null;
}

export interface InferenceRecord {
  tenant: string;
  model_id: string;
  model_version: string;
  request_id: string;
  occurred_at: TimestampMicros;
  latency_ms: number;
  input_tokens: number | null;
  output_tokens: number | null;
  features: Record<string, number>;
  /** A score or regression value, or a class label. */
  prediction: number | string | null;
  confidence: number | null;
  policy_checks: PolicyCheck[];
  human_oversight_triggered: boolean;
  data_residency: string;
  controls: string[];
  labels: Record<string, string>;
}

export interface StudyWindow {
  from: TimestampMicros;
  to: TimestampMicros;
  sample_size: number;
  reference_version: string | null;
}

export interface StudyFinding {
  name: string;
  method: string;
  statistic: number;
  p_value: number | null;
  effect_size: number | null;
  threshold: number | null;
  verdict: Verdict;
}

export interface StudyResult {
  tenant: string;
  study_id: string;
  study_version: string;
  run_id: string;
  kind: StudyKind;
  model_id: string | null;
  occurred_at: TimestampMicros;
  started_at: TimestampMicros;
  finished_at: TimestampMicros;
  methods: string[];
  parameters: Record<string, string>;
  reference_window: StudyWindow;
  current_window: StudyWindow;
  results: StudyFinding[];
  verdict: Verdict;
  library: string;
  library_version: string;
  inputs: Artifact[];
  controls: string[];
  labels: Record<string, string>;
}

export interface Incident {
  tenant: string;
  incident_id: string;
  occurred_at: TimestampMicros;
  detected_at: TimestampMicros | null;
  reported_by: Principal;
  severity: Severity;
  status: IncidentStatus;
  serious: boolean;
  model_id: string | null;
  model_version: string | null;
  run_id: string | null;
  title: string;
  description: string;
  corrective_actions: string[];
  related_manifest_ids: string[];
  controls: string[];
  labels: Record<string, string>;
}

export interface OversightEvent {
  tenant: string;
  event_id: string;
  occurred_at: TimestampMicros;
  principal: Principal;
  action: OversightAction;
  model_id: string;
  model_version: string | null;
  run_id: string | null;
  request_id: string | null;
  incident_id: string | null;
  reason: string;
  controls: string[];
  labels: Record<string, string>;
}

export type ImplementationStatus = 'PLANNED' | 'PARTIAL' | 'IMPLEMENTED' | 'NOT_IMPLEMENTED' | 'UNKNOWN';

export interface ApplicabilityStatement {
  tenant: string;
  statement_id: string;
  occurred_at: TimestampMicros;
  framework: string;
  control: string;
  applicable: boolean;
  justification: string;
  owner: string | null;
  implementation: ImplementationStatus;
  actor: string;
  controls: string[];
}

export type LegalHoldAction = 'PLACED' | 'LIFTED' | 'UNKNOWN';
export type LegalHoldScope = 'TENANT' | 'MODEL' | 'PERIOD' | 'UNKNOWN';

export interface LegalHold {
  tenant: string;
  hold_id: string;
  occurred_at: TimestampMicros;
  action: LegalHoldAction;
  scope: LegalHoldScope;
  model_id: string | null;
  period_from: TimestampMicros | null;
  period_to: TimestampMicros | null;
  reason: string;
  actor: string;
  controls: string[];
}

export type Gate = 'PROMOTION' | 'DEPLOYMENT' | 'UNKNOWN';
export type GateResult = 'ALLOW' | 'DENY' | 'UNKNOWN';

export interface PolicyVersion {
  tenant: string;
  policy_id: string;
  version: number;
  gate: Gate;
  occurred_at: TimestampMicros;
  principal: Principal;
  source_sha256: string;
  tests_sha256: string | null;
  wasm_sha256: string;
  entrypoint: string;
  compiler: string;
  tests_passed: number;
  controls: string[];
  labels: Record<string, string>;
}

export interface PolicyDecision {
  tenant: string;
  decision_id: string;
  occurred_at: TimestampMicros;
  gate: Gate;
  run_id: string;
  model_id: string | null;
  model_version: string | null;
  policy_id: string;
  policy_version: number;
  policy_source_sha256: string;
  policy_wasm_sha256: string;
  input_sha256: string;
  input_json: string;
  result: GateResult;
  reasons: string[];
  principal: Principal;
  controls: string[];
  labels: Record<string, string>;
}

export interface RecordValues {
  EvidenceManifest: EvidenceManifest;
  InferenceRecord: InferenceRecord;
  StudyResult: StudyResult;
  Incident: Incident;
  OversightEvent: OversightEvent;
  ApplicabilityStatement: ApplicabilityStatement;
  LegalHold: LegalHold;
  PolicyVersion: PolicyVersion;
  PolicyDecision: PolicyDecision;
}
