import { ProbityError } from '@probity/errors';

export type AuditPackageErrorCode =
  /** A package that cannot be read at all (not a gzip tar, no manifest first). */
  | 'PACKAGE_UNREADABLE'
  /** Inputs to a package build that do not fit together (a record of another tenant, a shard without its checkpoint). */
  | 'PACKAGE_INPUT_INVALID';

export class AuditPackageError extends ProbityError<AuditPackageErrorCode> {}
