export { SchemaRegistry } from './schema-registry.js';
export type { Decoded, DecodeOptions, EncodeOptions, FromJsonResult, QuickCheck, SchemaSource, SchemaVersion, ValidateOptions } from './schema-registry.js';
export { defaultRegistry, fromJson, loadSchemaRegistry, toJson, validate, validateSemantics } from './default-registry.js';
export { DEFAULT_SCHEMAS_DIR, readSchemaSources } from './load-schemas.js';
export { RECORD_TYPES, SCHEMA_NAMESPACE, isRecordType } from './record-types.js';
export type { RecordType } from './record-types.js';
export { SchemaError } from './errors.js';
export type { SchemaErrorCode } from './errors.js';
export { fingerprint64, parsingCanonicalForm } from './canonical-form.js';
export type { SchemaJson } from './canonical-form.js';
export { rabin64 } from './rabin.js';
export { avroBinaryCodec } from './binary-codec.js';
export type { BinaryCodec } from './binary-codec.js';
export { SINGLE_OBJECT_HEADER_LENGTH, SINGLE_OBJECT_MARKER, frameSingleObject, peekFingerprint, unframeSingleObject } from './single-object.js';
export type { SingleObjectParts } from './single-object.js';
export type { ValidationIssue } from './validate-schema.js';
export {
  CONTROL_PATTERN,
  EARLIEST_TIMESTAMP_MICROS,
  MAX_FUTURE_SKEW_MICROS,
  SHA256_PATTERN,
  TENANT_PATTERN,
  UUID_PATTERN,
} from './semantics.js';
export type { SemanticOptions } from './semantics.js';
export { formatIsoMicros, parseIsoMicros } from './timestamps.js';
export type {
  ApplicabilityStatement,
  ImplementationStatus,
  Approval,
  Artifact,
  ArtifactKind,
  DeploymentDetails,
  Decision,
  EvaluationDetails,
  EvidenceManifest,
  Gate,
  GateResult,
  GenericDetails,
  Incident,
  IncidentStatus,
  InferenceRecord,
  IngestDetails,
  LegalHold,
  LegalHoldAction,
  LegalHoldScope,
  ManifestDetails,
  MonitoringDetails,
  OversightAction,
  OversightEvent,
  PolicyCheck,
  PolicyDecision,
  PolicyVersion,
  Principal,
  PrincipalKind,
  RecordValues,
  RiskClassification,
  Severity,
  Stage,
  StudyFinding,
  StudyKind,
  StudyResult,
  StudyWindow,
  TimestampMicros,
  TrainingDetails,
  Verdict,
} from './value-types.js';
