import { randomUUID } from 'node:crypto';

const sha = (seed: string) => Buffer.from(seed.padEnd(32, '.').slice(0, 32)).toString('hex');
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

export interface RunSpec {
  tenant: string;
  runId: string;
  modelId: string;
  auc: number;
  approvers: { principal: string; role: string }[];
  consent: string | null;
}

/** The manifests of one pipeline run up to promotion, as an emitter writes them (JSON mapping). */
export function runManifests(spec: RunSpec): { type: string; value: Record<string, unknown> }[] {
  const base = { tenant: spec.tenant, run_id: spec.runId, model_id: spec.modelId, model_version: '2.0.0', principal: { kind: 'SERVICE', id: 'svc:pipeline' }, controls: [] };
  const dataset = { id: `loans-${spec.runId}`, kind: 'DATASET', sha256: sha(`loans-${spec.runId}`), uri: `s3://b/${spec.runId}/loans.parquet` };
  return [
    { type: 'EvidenceManifest', value: { ...base, manifest_id: randomUUID(), stage: 'INGEST', occurred_at: at(30), inputs: [dataset], ...(spec.consent === null ? {} : { labels: { consent: spec.consent } }) } },
    {
      type: 'EvidenceManifest',
      value: {
        ...base, manifest_id: randomUUID(), stage: 'EVALUATION', occurred_at: at(20),
        details: { evaluation: { metrics: { auc: spec.auc }, thresholds: { auc: 0.85 }, dataset_split: 'holdout', passed_thresholds: spec.auc >= 0.85 } },
      },
    },
    {
      type: 'EvidenceManifest',
      value: { ...base, manifest_id: randomUUID(), stage: 'PROMOTION', occurred_at: at(10), approvals: spec.approvers.map((a) => ({ ...a, at: at(11), decision: 'APPROVED' })) },
    },
  ];
}

export function criticalIncident(tenant: string, modelId: string): { type: string; value: Record<string, unknown> } {
  return {
    type: 'Incident',
    value: {
      tenant, incident_id: `INC-${randomUUID().slice(0, 8)}`, occurred_at: at(15), reported_by: { kind: 'SERVICE', id: 'svc:monitor' },
      severity: 'CRITICAL', status: 'OPEN', serious: true, model_id: modelId, title: 'score inflation', description: 'd', corrective_actions: [], related_manifest_ids: [], controls: [],
    },
  };
}
