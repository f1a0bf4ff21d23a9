import { ProbityError } from '@probity/errors';

export type NotaryErrorCode = 'LOG_INVARIANT' | 'LOG_RECOVERY_FAILED' | 'KEY_UNAVAILABLE' | 'POLICY_INVALID' | 'TRANSACTION_FAILED' | 'INSPECT_FAILED';

export class NotaryError extends ProbityError<NotaryErrorCode> {}
