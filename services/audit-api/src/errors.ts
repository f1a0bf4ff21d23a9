import { ProbityError } from '@probity/errors';

export type AuditApiErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'LOG_NOT_READY'
  | 'LOG_INCONSISTENT'
  /** A part this API instance was not given (Kafka for the DLQ, an emitter for legal holds), or one that does not answer. */
  | 'UNAVAILABLE'
  | 'INTERNAL';

const STATUS: Record<AuditApiErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  // The log's leaves lag its checkpoint for a moment while the sink writes: retry.
  LOG_NOT_READY: 503,
  LOG_INCONSISTENT: 500,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * Every error the API answers with on purpose. `parameter` names the query
 * parameter, path parameter or body field at fault, so a client can point at it.
 */
export class AuditApiError extends ProbityError<AuditApiErrorCode> {
  readonly parameter: string | undefined;

  constructor(code: AuditApiErrorCode, message: string, options: { parameter?: string; cause?: unknown; retriable?: boolean } = {}) {
    super(code, message, { cause: options.cause, retriable: options.retriable ?? code === 'LOG_NOT_READY' });
    this.parameter = options.parameter;
  }

  get status(): number {
    return STATUS[this.code];
  }

  body(): { error: { code: AuditApiErrorCode; message: string; parameter?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.parameter ? { parameter: this.parameter } : {}) } };
  }
}

export function badParameter(parameter: string, message: string): AuditApiError {
  return new AuditApiError('BAD_REQUEST', message, { parameter });
}
