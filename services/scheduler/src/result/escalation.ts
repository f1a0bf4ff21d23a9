import type { StudyDefinition } from '@probity/catalog';
import type { StudyResultJson } from './study-result.js';

/** JSON form of schemas/Incident.v1.avsc. */
export interface IncidentJson {
  tenant: string;
  incident_id: string;
  occurred_at: string;
  detected_at: string | null;
  reported_by: { kind: 'SERVICE'; id: string; display_name: string | null };
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  status: 'OPEN';
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

export const SCHEDULER_PRINCIPAL = 'svc:probity-scheduler';

type Escalation = 'notification' | 'incident' | 'rollback-candidate' | 'nonconformity';

function summary(result: StudyResultJson): string {
  const flagged = result.results.filter((f) => f.verdict === 'WARNING' || f.verdict === 'CRITICAL' || f.verdict === 'FAIL');
  return flagged.map((f) => `${f.name}/${f.method}=${f.statistic.toPrecision(4)} (${f.verdict})`).join(', ');
}

function incident(result: StudyResultJson, escalation: Escalation, severity: IncidentJson['severity'], title: string, actions: string[]): IncidentJson {
  return {
    tenant: result.tenant,
    // Deterministic: a retried run raises the same incident, which the notary stores once.
    incident_id: `${result.run_id}#${escalation}`,
    occurred_at: result.occurred_at,
    detected_at: result.finished_at,
    reported_by: { kind: 'SERVICE', id: SCHEDULER_PRINCIPAL, display_name: 'Probity study scheduler' },
    severity,
    status: 'OPEN',
    serious: false,
    model_id: result.model_id,
    model_version: null,
    run_id: result.run_id,
    title,
    description: `Study ${result.study_id} v${result.study_version} (${result.kind.toLowerCase()}) due ${result.occurred_at}: verdict ${result.verdict}. ${summary(result)}`.trim(),
    corrective_actions: actions,
    related_manifest_ids: [],
    controls: ['iso9001:10.2', 'iso42001:A.8.4'],
    labels: { escalation, study_id: result.study_id, study_version: result.study_version, verdict: result.verdict },
  };
}

/**
 * Incidents a result raises under its study's escalation policy:
 * drift WARNING → a notification; drift CRITICAL → an incident and a
 * rollback-candidate event for the model; calibration FAIL → a
 * nonconformity (ISO 9001 cl. 10.2) of the monitoring instrument.
 */
export function incidentsFor(study: StudyDefinition, result: StudyResultJson): IncidentJson[] {
  if (study.kind === 'calibration') {
    if (result.verdict !== 'FAIL') return [];
    return [incident(result, 'nonconformity', 'MEDIUM', `Monitoring metric ${study.metric.name} out of calibration`, ['Recalibrate or replace the monitoring agent; repeat the calibration study'])];
  }
  const model = result.model_id;
  if (result.verdict === 'WARNING' && study.escalation.warning === 'notify') {
    return [incident(result, 'notification', 'MEDIUM', `Drift warning for model ${model}`, [])];
  }
  if (result.verdict === 'CRITICAL') {
    if (study.escalation.critical === 'notify') return [incident(result, 'notification', 'HIGH', `Critical drift for model ${model}`, [])];
    if (study.escalation.critical === 'incident') {
      return [
        incident(result, 'incident', 'CRITICAL', `Critical drift for model ${model}`, ['Investigate the drifted features']),
        incident(result, 'rollback-candidate', 'HIGH', `Rollback candidate: model ${model}`, [`Consider rolling back model ${model} to the reference version`]),
      ];
    }
  }
  return [];
}
