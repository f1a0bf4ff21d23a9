export { DURATION_PATTERN, parseDuration, durationMs } from './duration.js';
export {
  studyDefinitionSchema,
  parseStudyDefinition,
  STUDY_ID_PATTERN,
  DRIFT_METHODS,
  METHOD_CRITERIA,
  INTERVAL_PATTERNS,
} from './study-definition.js';
export type {
  StudyDefinition,
  DriftStudyDefinition,
  CalibrationStudyDefinition,
  DriftMethod,
  MethodThreshold,
  ThresholdLevels,
  MinimumSample,
  StudySchedule,
  ScheduleInterval,
  DefinitionIssue,
  ParsedDefinition,
} from './study-definition.js';
export { defineControls } from './controls/control.js';
export type { Control, Framework } from './controls/control.js';
export { ISO42001_ANNEX_A } from './controls/iso42001.js';
export { ISO27001_ANNEX_A } from './controls/iso27001.js';
export { ISO9001_CLAUSES } from './controls/iso9001.js';
export { EU_AI_ACT_ARTICLES } from './controls/eu-ai-act.js';
export { CONTROL_CATALOGS, ALL_CONTROLS, findControl } from './controls/catalog.js';
export { controlsEvidencedBy } from './evidence-controls.js';
export type { EvidenceKind, EvidenceRecordType } from './evidence-controls.js';
export { coverageReport } from './coverage.js';
export type { CoverageReport, FrameworkCoverage } from './coverage.js';
