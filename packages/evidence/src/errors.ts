import { ProbityError } from '@probity/errors';

export type EvidenceErrorCode =
  /** A signed-topic message that is not a signed batch (`probity.signed-batch/v2`, or the v1 JSON of earlier builds). */
  | 'SIGNED_BATCH_MALFORMED'
  /** A well-formed batch whose leaves do not hash to its checkpoint's root, or whose records disagree with their statements. */
  | 'SIGNED_BATCH_INCONSISTENT';

export class EvidenceError extends ProbityError<EvidenceErrorCode> {}
