import { readdirSync, readFileSync } from 'node:fs';
import type { RecordType } from './record-types.js';
import type { SchemaRegistry } from './schema-registry.js';
import type { ApplicabilityStatement, EvidenceManifest, Incident, InferenceRecord, LegalHold, OversightEvent, PolicyDecision, PolicyVersion, RecordValues, StudyResult } from './value-types.js';

// Values for tests: one of each record type, valid as of NOW.
export const NOW = new Date('2025-06-01T00:00:00Z');
const T = Date.parse('2025-05-01T10:00:00Z') * 1000;
const SHA_A = 'a'.repeat(64);
const SHA_B = '0123456789abcdef'.repeat(4);

export function manifest(overrides: Partial<EvidenceManifest> = {}): EvidenceManifest {
  return {
    tenant: 'acme',
    manifest_id: '3b241101-e2bb-4255-8caf-4136c566a962',
    run_id: 'run-1',
    pipeline_id: 'pipe',
    model_id: 'fraud',
    model_version: '1.0.0',
    stage: 'TRAINING',
    occurred_at: T,
    principal: { kind: 'SERVICE', id: 'svc:trainer', display_name: null },
    inputs: [{ id: 'ds', kind: 'DATASET', sha256: SHA_A, uri: 's3://b/ds', size_bytes: 1024, media_type: null }],
    outputs: [{ id: 'm', kind: 'MODEL', sha256: SHA_B, uri: 's3://b/m', size_bytes: null, media_type: 'application/onnx' }],
    commit_sha: '3f786850e387550fdab836ed7e6dc881de23001b',
    approvals: [{ role: 'owner', principal: 'user:jane', at: T - 1_000_000, decision: 'APPROVED' }],
    controls: ['iso42001:A.6.2.4', 'euaiact:Art.12'],
    details: {
      'io.probity.evidence.TrainingDetails': {
        hyperparameters: { lr: '0.1', depth: '6' },
        framework: 'xgboost',
        framework_version: '2.1.1',
        seed: 7,
        duration_ms: 1200,
      },
    },
    summary: null,
    labels: { team: 'risk', env: 'prod' },
    risk_classification: 'HIGH',
    ...overrides,
  };
}

export function inference(overrides: Partial<InferenceRecord> = {}): InferenceRecord {
  return {
    tenant: 'acme',
    model_id: 'fraud',
    model_version: '1.0.0',
    request_id: 'req-1',
    occurred_at: T + 5,
    latency_ms: 12.5,
    input_tokens: null,
    output_tokens: 40,
    features: { amount: 12.3, age: 41 },
    prediction: 'fraud',
    confidence: 0.8,
    policy_checks: [{ policy: 'pii', passed: true, detail: null }],
    human_oversight_triggered: false,
    data_residency: 'eu',
    controls: ['euaiact:Art.12'],
    labels: {},
    ...overrides,
  };
}

export function study(overrides: Partial<StudyResult> = {}): StudyResult {
  return {
    tenant: 'acme',
    study_id: 'drift-weekly',
    study_version: '1',
    run_id: 'r1',
    kind: 'DRIFT',
    model_id: null,
    occurred_at: T,
    started_at: T - 60_000_000,
    finished_at: T,
    methods: ['ks'],
    parameters: { alpha: '0.01' },
    reference_window: { from: T - 2_000_000_000, to: T - 1_000_000_000, sample_size: 100, reference_version: 'v1' },
    current_window: { from: T - 1_000_000_000, to: T, sample_size: 90, reference_version: null },
    results: [{ name: 'amount', method: 'ks', statistic: 0.1, p_value: 0.2, effect_size: null, threshold: 0.01, verdict: 'PASS' }],
    verdict: 'PASS',
    library: '@probity/stats',
    library_version: '0.1.0',
    inputs: [],
    controls: ['iso9001:9.1.3'],
    labels: {},
    ...overrides,
  };
}

export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    tenant: 'acme',
    incident_id: 'INC-1',
    occurred_at: T,
    detected_at: T + 1_000_000,
    reported_by: { kind: 'USER', id: 'user:sre', display_name: 'SRE' },
    severity: 'HIGH',
    status: 'OPEN',
    serious: true,
    model_id: 'fraud',
    model_version: null,
    run_id: null,
    title: 't',
    description: 'd',
    corrective_actions: [],
    related_manifest_ids: ['3b241101-e2bb-4255-8caf-4136c566a962'],
    controls: ['euaiact:Art.73'],
    labels: {},
    ...overrides,
  };
}

export function oversight(overrides: Partial<OversightEvent> = {}): OversightEvent {
  return {
    tenant: 'acme',
    event_id: 'ev-1',
    occurred_at: T,
    principal: { kind: 'USER', id: 'user:jane', display_name: null },
    action: 'OVERRODE',
    model_id: 'fraud',
    model_version: '1.0.0',
    run_id: null,
    request_id: 'req-1',
    incident_id: null,
    reason: 'false positive',
    controls: ['euaiact:Art.14'],
    labels: {},
    ...overrides,
  };
}

export function applicability(overrides: Partial<ApplicabilityStatement> = {}): ApplicabilityStatement {
  return {
    tenant: 'acme',
    statement_id: 'soa-1',
    occurred_at: T,
    framework: 'iso42001',
    control: 'iso42001:A.10.3',
    applicable: false,
    justification: 'no suppliers of AI components',
    owner: null,
    implementation: 'NOT_IMPLEMENTED',
    actor: 'user:jane',
    controls: [],
    ...overrides,
  };
}

export function policyVersion(overrides: Partial<PolicyVersion> = {}): PolicyVersion {
  return {
    tenant: 'acme',
    policy_id: 'promotion',
    version: 1,
    gate: 'PROMOTION',
    occurred_at: T,
    principal: { kind: 'USER', id: 'user:jane', display_name: null },
    source_sha256: SHA_A,
    tests_sha256: SHA_B,
    wasm_sha256: SHA_B,
    entrypoint: 'gate/decision',
    compiler: 'opa v1.22.4',
    tests_passed: 7,
    controls: ['iso42001:A.6.2.5'],
    labels: {},
    ...overrides,
  };
}

export function legalHold(overrides: Partial<LegalHold> = {}): LegalHold {
  return {
    tenant: 'acme',
    hold_id: 'hold-1',
    occurred_at: T,
    action: 'PLACED',
    scope: 'PERIOD',
    model_id: null,
    period_from: T - 86_400_000_000,
    period_to: T,
    reason: 'litigation notice',
    actor: 'token:0011223344556677',
    controls: [],
    ...overrides,
  };
}

export function policyDecision(overrides: Partial<PolicyDecision> = {}): PolicyDecision {
  return {
    tenant: 'acme',
    decision_id: 'dec-1',
    occurred_at: T,
    gate: 'PROMOTION',
    run_id: 'run-1',
    model_id: 'fraud',
    model_version: '1.0.0',
    policy_id: 'promotion',
    policy_version: 1,
    policy_source_sha256: SHA_A,
    policy_wasm_sha256: SHA_B,
    input_sha256: SHA_A,
    input_json: '{}',
    result: 'DENY',
    reasons: ['no EVALUATION stage for the run'],
    principal: { kind: 'SERVICE', id: 'ci', display_name: null },
    controls: ['iso42001:A.6.2.5'],
    labels: {},
    ...overrides,
  };
}

export const SAMPLES: { [K in keyof RecordValues]: () => RecordValues[K] } = {
  EvidenceManifest: () => manifest(),
  InferenceRecord: () => inference(),
  StudyResult: () => study(),
  Incident: () => incident(),
  OversightEvent: () => oversight(),
  ApplicabilityStatement: () => applicability(),
  LegalHold: () => legalHold(),
  PolicyVersion: () => policyVersion(),
  PolicyDecision: () => policyDecision(),
};

export interface ExampleRecord {
  /** File name in schemas/examples/, e.g. `EvidenceManifest.training.json`. */
  file: string;
  recordType: RecordType;
  value: Record<string, unknown>;
}

/** The records of schemas/examples/, read as the HTTP gateway reads JSON; they must be valid as of `now`. */
export function exampleRecords(registry: SchemaRegistry, now: Date): ExampleRecord[] {
  const dir = new URL('../../../schemas/examples/', import.meta.url);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const recordType = file.split('.')[0] as RecordType;
      const parsed = registry.fromJson<Record<string, unknown>>(recordType, JSON.parse(readFileSync(new URL(file, dir), 'utf8')), { now });
      if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.issues)}`);
      return { file, recordType, value: parsed.value };
    });
}
