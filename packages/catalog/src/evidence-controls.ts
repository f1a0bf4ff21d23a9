/**
 * Which controls a record typically evidences, from its type and stage. A
 * starting point for coverage and gap analysis: emitters may name more
 * controls in the record's own `controls` field, and those count too.
 */

/** Record types of schemas/ (kept here as strings: the catalog depends on nothing). */
export type EvidenceRecordType = 'EvidenceManifest' | 'InferenceRecord' | 'StudyResult' | 'Incident' | 'OversightEvent' | 'PolicyVersion' | 'PolicyDecision';

export interface EvidenceKind {
  recordType: EvidenceRecordType | string;
  /** Stage of an EvidenceManifest (any letter case), e.g. `TRAINING`. */
  stage?: string;
  /** Kind of a StudyResult: `DRIFT` or `CALIBRATION`. */
  studyKind?: string;
}

const STAGE_CONTROLS: Record<string, readonly string[]> = {
  INGEST: ['iso42001:A.7.2', 'iso42001:A.7.3', 'iso42001:A.7.5', 'euaiact:Art.10', 'iso27001:A.5.33'],
  PREPROCESS: ['iso42001:A.7.4', 'iso42001:A.7.6', 'euaiact:Art.10'],
  FEATURES: ['iso42001:A.7.4', 'iso42001:A.7.6', 'euaiact:Art.10'],
  TRAINING: ['iso42001:A.6.1.3', 'iso42001:A.6.2.3', 'iso42001:A.4.4', 'iso42001:A.4.5', 'euaiact:Art.11', 'iso27001:A.8.25'],
  EVALUATION: ['iso42001:A.6.2.4', 'euaiact:Art.9', 'euaiact:Art.15', 'iso27001:A.8.29'],
  REGISTRY: ['iso42001:A.4.2', 'iso42001:A.6.2.7', 'euaiact:Art.11', 'euaiact:Art.18', 'iso27001:A.8.9'],
  PROMOTION: ['iso42001:A.6.2.5', 'euaiact:Art.17', 'iso27001:A.8.32'],
  DEPLOYMENT: ['iso42001:A.6.2.5', 'euaiact:Art.17', 'iso27001:A.8.31', 'iso27001:A.8.32'],
  INFERENCE: ['iso42001:A.6.2.8', 'euaiact:Art.12', 'euaiact:Art.19', 'iso27001:A.8.15'],
  MONITORING: ['iso42001:A.6.2.6', 'euaiact:Art.72', 'iso27001:A.8.16', 'iso9001:9.1.1'],
};

const STUDY_CONTROLS: Record<string, readonly string[]> = {
  DRIFT: ['iso9001:9.1.3', 'iso42001:A.6.2.6', 'euaiact:Art.15', 'euaiact:Art.72'],
  CALIBRATION: ['iso9001:7.1.5', 'iso9001:7.1.5.2', 'iso42001:A.6.2.6', 'iso27001:A.8.16'],
};

const RECORD_CONTROLS: Record<string, readonly string[]> = {
  InferenceRecord: STAGE_CONTROLS.INFERENCE!,
  Incident: ['iso42001:A.8.4', 'iso42001:A.3.3', 'euaiact:Art.20', 'euaiact:Art.73', 'iso27001:A.5.24', 'iso27001:A.5.26', 'iso9001:10.2'],
  OversightEvent: ['iso42001:A.9.2', 'iso42001:A.3.2', 'euaiact:Art.14', 'euaiact:Art.26'],
  // A gate decision controls a change's release; a policy version is the documented procedure it applies.
  PolicyDecision: STAGE_CONTROLS.PROMOTION!,
  PolicyVersion: ['iso42001:A.6.2.5', 'euaiact:Art.17', 'iso27001:A.8.32', 'iso27001:A.5.37'],
};

/** Control ids (`<framework>:<ref>`) the record typically evidences; empty when nothing is known. Sorted, no duplicates. */
export function controlsEvidencedBy(kind: EvidenceKind): string[] {
  let ids: readonly string[] = [];
  if (kind.recordType === 'EvidenceManifest') ids = STAGE_CONTROLS[(kind.stage ?? '').toUpperCase()] ?? [];
  else if (kind.recordType === 'StudyResult') {
    ids = kind.studyKind === undefined ? [...STUDY_CONTROLS.DRIFT!, ...STUDY_CONTROLS.CALIBRATION!] : (STUDY_CONTROLS[kind.studyKind.toUpperCase()] ?? []);
  } else ids = RECORD_CONTROLS[kind.recordType] ?? [];
  return [...new Set(ids)].sort();
}
