import type { StudyDefinition } from '@probity/catalog';
import type { Job, JobType, Queue } from 'bullmq';
import { STUDY_RUN, type StudyRunData, type StudyRunReturn } from './queue-catalog.js';
import { dueBefore } from './schedule/due-times.js';
import { dueMillisOfJob, runSchedulerId } from './schedule/job-ids.js';
import { repeatOptionsOf } from './schedule/repeat-options.js';

export type RunState = 'completed' | 'failed' | 'active' | 'waiting' | 'delayed';

export interface RunRecord {
  jobId: string;
  dueMillis: number;
  state: RunState;
  trigger: string;
  attemptsMade: number;
  verdict?: string;
  contentHash?: string;
  failedReason?: string;
  finishedOn?: number;
}

export interface StudyStatus {
  id: string;
  version: string;
  kind: StudyDefinition['kind'];
  tenant: string;
  modelId: string;
  schedule: string;
  /** Next due time from BullMQ's job scheduler; null when the scheduler is not registered (no scheduler process started yet). */
  nextDue: number | null;
  lastRun: RunRecord | null;
  overdue: boolean;
  /** Why it is overdue, in words. */
  overdueReason?: string;
}

const STARTED = new Set<RunState>(['active', 'completed', 'failed']);

const STATES: Record<string, RunState> = { completed: 'completed', failed: 'failed', active: 'active', wait: 'waiting', waiting: 'waiting', delayed: 'delayed', prioritized: 'waiting' };

async function toRecord(job: Job): Promise<RunRecord | undefined> {
  const dueMillis = dueMillisOfJob(job);
  if (job.name !== STUDY_RUN || dueMillis === undefined || !job.id) return undefined;
  const state = STATES[await job.getState()] ?? 'waiting';
  const ret = job.returnvalue as StudyRunReturn | null | undefined;
  return {
    jobId: job.id,
    dueMillis,
    state,
    trigger: (job.data as StudyRunData).trigger,
    attemptsMade: job.attemptsMade,
    ...(ret?.verdict ? { verdict: ret.verdict, contentHash: ret.contentHash } : {}),
    ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    ...(job.finishedOn ? { finishedOn: job.finishedOn } : {}),
  };
}

/** Past and pending runs of one study, newest due time first (from the queue's kept jobs). */
export async function studyHistory(queue: Queue, studyId: string, limit = 1000): Promise<RunRecord[]> {
  const types: JobType[] = ['completed', 'failed', 'active', 'wait', 'delayed', 'prioritized'];
  const jobs = await queue.getJobs(types, 0, limit);
  const records: RunRecord[] = [];
  for (const job of jobs) {
    if (!job || (job.data as StudyRunData | undefined)?.studyId !== studyId) continue;
    const record = await toRecord(job);
    if (record) records.push(record);
  }
  return records.sort((a, b) => b.dueMillis - a.dueMillis || a.jobId.localeCompare(b.jobId));
}

function describeSchedule(study: StudyDefinition): string {
  const s = study.schedule;
  if (s.every) return `every ${s.every}`;
  return `${s.cron ?? s.interval} (${s.tz})`;
}

/**
 * Each study with its next due time (from BullMQ), its last run and whether
 * it is overdue: a due time passed without a completed run — the scheduled
 * job was not started within `graceMs`, the due time before the next one has
 * no run at all, or its run failed for good.
 */
export async function studiesStatus(queue: Queue, studies: readonly StudyDefinition[], now: number, graceMs = 60_000): Promise<StudyStatus[]> {
  const out: StudyStatus[] = [];
  for (const study of studies) {
    const scheduler = await queue.getJobScheduler(runSchedulerId(study.id));
    const nextDue = typeof scheduler?.next === 'number' ? scheduler.next : scheduler?.next ? Number(scheduler.next) : null;
    const history = await studyHistory(queue, study.id);
    const lastRun = history.find((r) => r.state === 'completed' || r.state === 'failed' || r.state === 'active') ?? null;
    let overdueReason: string | undefined;
    if (nextDue !== null && nextDue + graceMs < now && !history.some((r) => r.dueMillis === nextDue && STARTED.has(r.state))) {
      overdueReason = `due ${new Date(nextDue).toISOString()} and not started`;
    } else if (nextDue !== null) {
      // Only scheduled runs count here: a manual run for another time does not stand in for a due one,
      // and due times before the schedule's first run are not owed.
      const lastScheduled = history.find((r) => r.trigger === 'schedule' && STARTED.has(r.state));
      const previous = dueBefore(repeatOptionsOf(study.schedule), nextDue);
      const atPrevious = history.filter((r) => r.dueMillis === previous);
      if (lastScheduled && previous !== undefined && previous > lastScheduled.dueMillis) overdueReason = `no run for due time ${new Date(previous).toISOString()}`;
      else if (atPrevious.length > 0 && atPrevious.every((r) => r.state === 'failed')) overdueReason = `the run due ${new Date(previous!).toISOString()} failed`;
    }
    out.push({
      id: study.id,
      version: study.version,
      kind: study.kind,
      tenant: study.scope.tenant,
      modelId: study.scope.model_id,
      schedule: describeSchedule(study),
      nextDue,
      lastRun,
      overdue: overdueReason !== undefined,
      ...(overdueReason ? { overdueReason } : {}),
    });
  }
  return out;
}
