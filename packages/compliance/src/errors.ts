import { ProbityError } from '@probity/errors';

export type ComplianceErrorCode =
  /** A requirements data file that does not have its documented shape. */
  | 'REQUIREMENTS_INVALID'
  /** A coverage request that cannot be answered as asked (period, as-of date, granularity). */
  | 'COVERAGE_REQUEST_INVALID';

export class ComplianceError extends ProbityError<ComplianceErrorCode> {}
