/** The record types Probity writes; each has a top-level `tenant`, `occurred_at` and `controls`. */
export const RECORD_TYPES = ['EvidenceManifest', 'InferenceRecord', 'StudyResult', 'Incident', 'OversightEvent', 'ApplicabilityStatement', 'LegalHold', 'PolicyVersion', 'PolicyDecision'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const SCHEMA_NAMESPACE = 'io.probity.evidence';

export function isRecordType(name: string): name is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(name);
}
