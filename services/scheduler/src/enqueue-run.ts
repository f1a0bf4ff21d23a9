import type { StudyDefinition } from '@probity/catalog';
import type { Job, Queue } from 'bullmq';
import { STUDY_RUN, STUDY_RUN_JOB_OPTIONS, type StudyRunData } from './queue-catalog.js';
import { runJobId } from './schedule/job-ids.js';

/**
 * Adds an immediate run of a study for `dueMillis` (default: now, to the
 * second). Its job id comes from study, version and due time, so adding the
 * same run twice — a double click, two operators — gives one job.
 */
export function enqueueStudyRun(queue: Queue, study: StudyDefinition, dueMillis = Math.floor(Date.now() / 1000) * 1000): Promise<Job> {
  const data: StudyRunData = { studyId: study.id, studyVersion: study.version, trigger: 'manual', dueMillis };
  return queue.add(STUDY_RUN, data, { ...STUDY_RUN_JOB_OPTIONS, jobId: runJobId(study, dueMillis) });
}
