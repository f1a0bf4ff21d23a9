import { ProbityError } from '@probity/errors';

/**
 * - `NOT_SINGLE_OBJECT`: bytes too short or without the `C3 01` marker.
 * - `UNKNOWN_FINGERPRINT`: no schema version we know was written with that fingerprint.
 * - `BODY_INVALID`: the body does not decode with the writer schema (truncated, garbage, trailing bytes).
 * - `SCHEMA_INVALID`: a value does not conform to its schema or to the semantic rules (`details.issues`).
 * - `SCHEMA_FILE_INVALID`: an `.avsc` file is unreadable, misnamed, or breaks the evolution rules.
 * - `UNKNOWN_RECORD_TYPE` / `UNKNOWN_VERSION`: asked for a record type or version that is not loaded.
 * - `READER_TOO_OLD`: asked to read data as a version from before enum defaults that cannot read it.
 */
export type SchemaErrorCode =
  | 'NOT_SINGLE_OBJECT'
  | 'UNKNOWN_FINGERPRINT'
  | 'BODY_INVALID'
  | 'SCHEMA_INVALID'
  | 'SCHEMA_FILE_INVALID'
  | 'UNKNOWN_RECORD_TYPE'
  | 'UNKNOWN_VERSION'
  | 'READER_TOO_OLD';

export class SchemaError extends ProbityError<SchemaErrorCode> {}
