import { ProbityError } from '@probity/errors';

export type EmitErrorCode = 'MANIFEST_INVALID' | 'EMITTER_CLOSED' | 'SPOOL_FAILED' | 'KAFKA_FAILED' | 'KAFKA_UNAVAILABLE' | 'SIGNING_FAILED';

/** One field the schema rejected: an Avro path such as `inputs[0].sha256`. */
export interface EmitIssue {
  path: string;
  message: string;
}

/**
 * Every failure the emitter reports on purpose. `MANIFEST_INVALID` carries
 * `issues` naming each bad field; the other codes mean the record is NOT
 * durable and the caller must retry or fail its own step (`KAFKA_UNAVAILABLE`,
 * from an emitter that does not spool, is retriable).
 */
export class EmitError extends ProbityError<EmitErrorCode> {
  readonly issues: readonly EmitIssue[];

  constructor(code: EmitErrorCode, message: string, options: { cause?: unknown; retriable?: boolean; details?: Record<string, unknown>; issues?: EmitIssue[] } = {}) {
    super(code, message, options);
    this.issues = options.issues ?? [];
  }
}

/** A message naming every bad field, e.g. `EvidenceManifest is invalid: runId: expected a string; inputs[0].sha256: …`. */
export function invalidRecordError(recordType: string, issues: EmitIssue[]): EmitError {
  const list = issues.map((i) => `${i.path || '(record)'}: ${i.message}`).join('; ');
  return new EmitError('MANIFEST_INVALID', `${recordType} is invalid: ${list}`, { issues, details: { recordType, fields: issues.map((i) => i.path) } });
}
