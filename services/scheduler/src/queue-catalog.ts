import type { JobsOptions } from 'bullmq';

/**
 * The scheduler's one queue and its jobs (names, data, retry and visibility
 * settings), in one place as trigger.dev's worker catalog does.
 */

/** @defaultValue name of the studies queue */
export const DEFAULT_QUEUE_NAME = 'probity-studies';

/** A study run; its data is {@link StudyRunData}. */
export const STUDY_RUN = 'study-run';
/** Check the evidence for a new monitoring agent version; data is {@link TriggerCheckData}. */
export const AGENT_VERSION_CHECK = 'agent-version-check';

export type RunTrigger = 'schedule' | 'manual' | 'agent-version';

export interface StudyRunData {
  studyId: string;
  studyVersion: string;
  trigger: RunTrigger;
  /** Set for runs we add ourselves; job-scheduler runs take theirs from `opts.prevMillis`. */
  dueMillis?: number;
  /** Calibration runs triggered by an agent version change read this window. */
  window?: { from: number; to: number };
}

export interface TriggerCheckData {
  studyId: string;
}

export interface StudyRunReturn {
  runId: string;
  studyId: string;
  studyVersion: string;
  dueMillis: number;
  trigger: RunTrigger;
  verdict: string;
  contentHash: string;
  incidentHashes: string[];
  /** The StudyResult record as published (JSON form). */
  result: unknown;
}

const DAY_S = 86_400;

/**
 * Runs retry with exponential backoff (2 s, 4 s, 8 s …); completed runs are
 * kept 400 days (the history and the dedupe of re-added job ids rely on
 * them); failed runs are kept with their reason for `studies history`.
 */
export const STUDY_RUN_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 400 * DAY_S, count: 10_000 },
  removeOnFail: { age: 400 * DAY_S, count: 10_000 },
};

export const TRIGGER_CHECK_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 1_000 },
};
