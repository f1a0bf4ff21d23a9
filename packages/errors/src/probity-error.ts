/**
 * Base class of every error Probity throws on purpose.
 *
 * Modelled on sigstore-js: a literal `code` that callers and tests match on
 * (never the message), an optional `cause`, and — as in kafkajs — a
 * `retriable` flag so a Kafka handler knows whether to retry or to route the
 * message to the DLQ. Each package narrows `Code` to its own string union.
 */
export interface ProbityErrorOptions {
  cause?: unknown;
  /** True when retrying the same operation later may succeed (infrastructure down, timeout). */
  retriable?: boolean;
  /** Structured context safe to log: never row data or manifest contents. */
  details?: Record<string, unknown>;
}

export class ProbityError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: Code, message: string, options: ProbityErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retriable: this.retriable, ...(this.details ? { details: this.details } : {}) };
  }
}

export function isProbityError(value: unknown, code?: string): value is ProbityError {
  return value instanceof ProbityError && (code === undefined || value.code === code);
}
