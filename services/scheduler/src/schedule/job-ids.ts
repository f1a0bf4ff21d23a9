import type { StudyDefinition } from '@probity/catalog';

/**
 * Job identity. BullMQ names the jobs a job scheduler creates
 * `repeat:<schedulerId>:<dueMillis>`, the same in every process, so two
 * schedulers or a restart cannot create a second job for one due time.
 * Runs we add ourselves (manual, triggered) get `<studyId>:<version>:<dueMillis>`
 * — BullMQ accepts a custom id with `:` only when it has exactly three parts,
 * which study ids and versions (no `:`) guarantee.
 */

/** Scheduler id of a study's periodic runs: the study id (BullMQ forbids `:` in scheduler ids). */
export function runSchedulerId(studyId: string): string {
  return studyId;
}

/** Scheduler id of a calibration study's agent-version trigger check. */
export function triggerSchedulerId(studyId: string): string {
  return `${studyId}@agent-version`;
}

/** Id of a run added outside the job scheduler; the same study, version and due time always give the same id. */
export function runJobId(study: Pick<StudyDefinition, 'id' | 'version'>, dueMillis: number): string {
  if (!Number.isSafeInteger(dueMillis) || dueMillis < 0) throw new TypeError('dueMillis must be a non-negative integer');
  return `${study.id}:${study.version}:${dueMillis}`;
}

/** The run id recorded in the result: stable for a study version and due time, whoever ran it. */
export function studyRunId(study: Pick<StudyDefinition, 'id' | 'version'>, dueMillis: number): string {
  return `${study.id}@${study.version}@${new Date(dueMillis).toISOString()}`;
}

const SCHEDULER_JOB_ID = /^repeat:[^:]+:(\d+)$/;

/**
 * Due time of a job: `data.dueMillis` of one we added, else the millis in a
 * job-scheduler job's id (`repeat:<schedulerId>:<dueMillis>`; BullMQ does not
 * keep `opts.prevMillis` on the stored job).
 */
export function dueMillisOfJob(job: { id?: string | undefined; data?: { dueMillis?: number } }): number | undefined {
  const fromData = job.data?.dueMillis;
  if (typeof fromData === 'number') return fromData;
  const match = job.id === undefined ? null : SCHEDULER_JOB_ID.exec(job.id);
  return match ? Number(match[1]) : undefined;
}
