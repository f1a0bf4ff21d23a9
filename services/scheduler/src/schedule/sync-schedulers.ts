import { durationMs, type StudyDefinition } from '@probity/catalog';
import type { Queue } from 'bullmq';
import { AGENT_VERSION_CHECK, STUDY_RUN, STUDY_RUN_JOB_OPTIONS, TRIGGER_CHECK_JOB_OPTIONS, type StudyRunData, type TriggerCheckData } from '../queue-catalog.js';
import { runSchedulerId, triggerSchedulerId } from './job-ids.js';
import { repeatOptionsOf } from './repeat-options.js';

export interface SyncOutcome {
  upserted: string[];
  removed: string[];
}

/**
 * Makes the queue's job schedulers match the study definitions: upserts one
 * per study (and one per agent-version trigger) and removes those of studies
 * no longer defined. Idempotent, so every process calls it at every start;
 * BullMQ keeps the pending due time of an unchanged schedule, and the job of
 * a due time has the same id in every process, so nothing runs twice.
 */
export async function syncJobSchedulers(queue: Queue, studies: readonly StudyDefinition[]): Promise<SyncOutcome> {
  const wanted = new Set<string>();
  for (const study of studies) {
    const id = runSchedulerId(study.id);
    const data: StudyRunData = { studyId: study.id, studyVersion: study.version, trigger: 'schedule' };
    await queue.upsertJobScheduler(id, repeatOptionsOf(study.schedule), { name: STUDY_RUN, data, opts: STUDY_RUN_JOB_OPTIONS });
    wanted.add(id);
    const trigger = study.kind === 'calibration' ? study.triggers?.agent_version_change : undefined;
    if (trigger) {
      const triggerId = triggerSchedulerId(study.id);
      const triggerData: TriggerCheckData = { studyId: study.id };
      await queue.upsertJobScheduler(triggerId, { every: durationMs(trigger.check_every) }, { name: AGENT_VERSION_CHECK, data: triggerData, opts: TRIGGER_CHECK_JOB_OPTIONS });
      wanted.add(triggerId);
    }
  }
  const removed: string[] = [];
  for (const scheduler of await queue.getJobSchedulers(0, -1)) {
    if (!wanted.has(scheduler.key)) {
      await queue.removeJobScheduler(scheduler.key);
      removed.push(scheduler.key);
    }
  }
  return { upserted: [...wanted], removed };
}
