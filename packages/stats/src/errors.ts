import { ProbityError } from '@probity/errors';

/**
 * Codes thrown by @probity/stats.
 * - `INVALID_INPUT`: empty array, NaN or ±Infinity, negative count, mismatched lengths.
 * - `INVALID_OPTION`: an option outside its domain (bins < 1, epsilon <= 0, unknown alternative…).
 * - `ZERO_EXPECTED_FREQUENCY`: chi-square table with a zero expected cell (SciPy raises ValueError).
 * - `WORKER_FAILED`: a study run through {@link runInWorker} crashed or exited early.
 */
export type StatsErrorCode = 'INVALID_INPUT' | 'INVALID_OPTION' | 'ZERO_EXPECTED_FREQUENCY' | 'WORKER_FAILED';

export class StatsError extends ProbityError<StatsErrorCode> {}
