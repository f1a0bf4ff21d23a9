import { ProbityError } from '@probity/errors';

export type EvidenceErrorCode =
  /** A signed-topic message that is not a signed batch (`probity.signed-batch/v3`, or the v2 and v1 layouts of earlier builds). */
  | 'SIGNED_BATCH_MALFORMED'
  /** A well-formed batch whose leaves do not hash to its checkpoint's root, or whose records disagree with their statements. */
  | 'SIGNED_BATCH_INCONSISTENT'
  /** An emitter batch signature's header or statement that does not have its documented shape. */
  | 'EMITTER_BATCH_INVALID'
  /** A raw-topic message that opens with the RawPack header but is not one whole pack. */
  | 'RAW_PACK_MALFORMED';

export class EvidenceError extends ProbityError<EvidenceErrorCode> {}
