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
export { Catalogs } from './catalogs.js';
export type { CatalogControl, CatalogGroup, CatalogSource, Crosswalk, CrosswalkMapping, FrameworkCatalog } from './catalogs.js';
export { CONTROL_KINDS, CONTROL_REF_PATTERN, FRAMEWORK_ID_PATTERN, RELATIONS, crosswalkFileSchema, frameworkFileSchema } from './catalog-files.js';
export type { ControlKind, CrosswalkFile, FrameworkFile, Relation } from './catalog-files.js';
export { DEFAULT_CATALOG_DIR, defaultCatalogs, loadCatalogs, readCatalogSources } from './load-catalogs.js';
export { CatalogError } from './errors.js';
export type { CatalogErrorCode } from './errors.js';
export { controlsEvidencedBy } from './evidence-controls.js';
export type { EvidenceKind, EvidenceRecordType } from './evidence-controls.js';
export { coverageReport, viewThrough } from './coverage.js';
export type { CoverageReport, FrameworkCoverage, ViewedControl } from './coverage.js';
