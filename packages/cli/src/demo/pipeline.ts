import { createHash } from 'node:crypto';
import { controlsEvidencedBy } from '@probity/catalog';

/** The demo's tenant, its models and the Q3 2026 window the auditor asks about. */
export const DEMO_TENANT = 'demo-bank';
export const DEMO_QUARTER = { from: '2026-07-01', to: '2026-09-30' } as const;

interface DemoModel {
  id: string;
  version: string;
  framework: string;
  owner: string;
  /** Day of the quarter the model's pipeline ran. */
  day: number;
}

export const DEMO_MODELS: readonly DemoModel[] = [
  { id: 'credit-risk', version: '4.2.0', framework: 'xgboost', owner: 'user:jane.doe@demo-bank.example', day: 10 },
  { id: 'fraud-detect', version: '2.1.0', framework: 'pytorch', owner: 'user:omar.ali@demo-bank.example', day: 35 },
  { id: 'churn', version: '1.3.0', framework: 'scikit-learn', owner: 'user:li.wei@demo-bank.example', day: 61 },
];

const STAGES = ['INGEST', 'PREPROCESS', 'FEATURES', 'TRAINING', 'EVALUATION', 'REGISTRY', 'PROMOTION', 'DEPLOYMENT', 'INFERENCE', 'MONITORING'] as const;

/** Deterministic stand-in digests: the same demo emits the same artifacts every time. */
export const digest = (text: string) => createHash('sha256').update(text).digest('hex');

function at(model: DemoModel, stageIndex: number): string {
  return new Date(Date.UTC(2026, 6, 1) + model.day * 86_400_000 + stageIndex * 3_600_000).toISOString();
}

function details(model: DemoModel, stage: (typeof STAGES)[number]): Record<string, unknown> | null {
  switch (stage) {
    case 'INGEST':
      return { ingest: { source: `s3://demo-bank-lake/${model.id}/2026q2/`, row_count: 1_250_000, schema_hash: digest(`${model.id}-schema`) } };
    case 'TRAINING':
      return { training: { hyperparameters: { learning_rate: '0.05', max_depth: '6' }, framework: model.framework, framework_version: '2.1.1', seed: 42, duration_ms: 1_834_000 } };
    case 'EVALUATION':
      return { evaluation: { metrics: { auc: 0.87, ks: 0.52, demographic_parity_gap: 0.018 }, dataset_split: 'holdout-2026q2', passed_thresholds: true } };
    case 'DEPLOYMENT':
      return { deployment: { environment: 'production', endpoint: `https://ml.demo-bank.example/${model.id}`, image_digest: `sha256:${digest(`${model.id}-image`)}`, previous_version: '1.0.0' } };
    case 'MONITORING':
      return { monitoring: { agent: 'otel-collector', agent_version: '0.104.0', metrics: { p99_latency_ms: 41.5, error_rate: 0.0012 } } };
    default:
      return { generic: { attributes: { step: stage.toLowerCase(), pipeline: `${model.id}/release` } } };
  }
}

/** One model's release pipeline: a manifest per stage, with approvals where a human signs off. */
export function pipelineManifests(model: DemoModel): Record<string, unknown>[] {
  const dataset = { id: `${model.id}-dataset-2026q2`, kind: 'DATASET', sha256: digest(`${model.id}-dataset`), uri: `s3://demo-bank-lake/${model.id}/2026q2.parquet` };
  const artifact = { id: `${model.id}-${model.version}`, kind: 'MODEL', sha256: digest(`${model.id}-${model.version}`), uri: `s3://demo-bank-models/${model.id}/${model.version}/model.onnx` };
  return STAGES.map((stage, i) => {
    const approvals =
      stage === 'PROMOTION' || stage === 'DEPLOYMENT'
        ? [
            { role: 'model-owner', principal: model.owner, at: at(model, i), decision: 'APPROVED' },
            { role: 'model-risk-officer', principal: 'user:risk.office@demo-bank.example', at: at(model, i), decision: 'APPROVED' },
          ]
        : [];
    return {
      tenant: DEMO_TENANT,
      manifest_id: digestUuid(`${model.id}-${stage}`),
      run_id: `${model.id}-release-${model.version}`,
      pipeline_id: `${model.id}/release`,
      model_id: model.id,
      model_version: model.version,
      stage,
      occurred_at: at(model, i),
      principal: { kind: 'SERVICE', id: `svc:ml-pipeline@${DEMO_TENANT}` },
      inputs: i <= 3 ? [dataset] : [artifact],
      outputs: i === 3 ? [artifact] : [],
      commit_sha: digest(`${model.id}-commit`).slice(0, 40),
      approvals,
      controls: controlsEvidencedBy({ recordType: 'EvidenceManifest', stage }),
      details: details(model, stage),
      // The last model's data carries no consent flag: the demo's promotion gate denies it for that reason.
      labels: stage === 'INGEST' && model.id !== DEMO_MODELS.at(-1)!.id ? { demo: 'true', consent: 'granted' } : { demo: 'true' },
    };
  });
}

/** Inference records with two numeric features, from a seeded generator (the same every run). */
export function inferenceRecords(model: DemoModel, count: number): Record<string, unknown>[] {
  let seed = [...model.id].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) >>> 0;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => ({
    tenant: DEMO_TENANT,
    model_id: model.id,
    model_version: model.version,
    request_id: `${model.id}-req-${i}`,
    occurred_at: new Date(Date.UTC(2026, 6, 1) + (model.day + 1) * 86_400_000 + i * 60_000).toISOString(),
    latency_ms: 10 + random() * 30,
    features: { income: Math.round(30_000 + random() * 70_000), debt_ratio: Math.round(random() * 1000) / 1000 },
    prediction: Math.round(random() * 1000) / 1000,
    policy_checks: [{ policy: 'no-protected-attributes', passed: true }],
    human_oversight_triggered: i % 97 === 0,
    data_residency: 'eu-west-1',
    controls: controlsEvidencedBy({ recordType: 'InferenceRecord' }),
  }));
}

/** A UUID-shaped id derived from text, so re-running the demo emits identical manifests (and they deduplicate). */
export function digestUuid(text: string): string {
  const h = digest(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
