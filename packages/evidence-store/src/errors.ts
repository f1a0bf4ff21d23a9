import { ProbityError } from '@probity/errors';

export type EvidenceStoreErrorCode = 'OBJECT_NOT_FOUND' | 'OBJECT_CORRUPT' | 'STORE_WRITE_FAILED' | 'LOCATION_INVALID';

export class EvidenceStoreError extends ProbityError<EvidenceStoreErrorCode> {}
