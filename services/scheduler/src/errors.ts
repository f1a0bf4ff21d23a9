import { ProbityError } from '@probity/errors';

/**
 * - `STUDY_DEFINITION_INVALID`: a study file does not parse or validate; `details.file` and `details.field` say where.
 * - `STUDY_NOT_FOUND`: no study with that id is defined.
 * - `STUDY_RUN_TIMEOUT`: waiting for a run's result took longer than allowed.
 * - `COMPUTE_FAILED`: the worker thread computing a study crashed (retriable: the job is retried).
 */
export type SchedulerErrorCode = 'STUDY_DEFINITION_INVALID' | 'STUDY_NOT_FOUND' | 'STUDY_RUN_TIMEOUT' | 'COMPUTE_FAILED';

export class SchedulerError extends ProbityError<SchedulerErrorCode> {}
