import { ProbityError } from '@probity/errors';

export type KeystoreErrorCode = 'KEYRING_INVALID' | 'PRIVATE_KEY_MISSING' | 'NO_VALID_KEY';

export class KeystoreError extends ProbityError<KeystoreErrorCode> {}
