import type { StudyDefinition } from '@probity/catalog';
import type { Warehouse } from '@probity/warehouse';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { recordCalibratedAgentVersion } from './agent-version-state.js';
import { checkAgentVersionTrigger } from './agent-version-trigger.js';
import { runCalibrationStudy } from './calibration/run-calibration.js';
import type { DriftComputeInput, DriftComputeOutput } from './drift/compute-drift.js';
import { runDriftStudy } from './drift/run-drift.js';
import { AGENT_VERSION_CHECK, STUDY_RUN, type StudyRunData, type StudyRunReturn, type TriggerCheckData } from './queue-catalog.js';
import { incidentsFor } from './result/escalation.js';
import type { ResultSink } from './result/result-sink.js';
import type { StudyResultJson } from './result/study-result.js';
import { dueMillisOfJob } from './schedule/job-ids.js';

export interface ProcessorDeps {
  queue: Queue;
  warehouse: Warehouse;
  sink: ResultSink;
  studies: ReadonlyMap<string, StudyDefinition>;
  computeDrift?: (input: DriftComputeInput) => Promise<DriftComputeOutput>;
}

function studyOf(deps: ProcessorDeps, studyId: string): StudyDefinition {
  const study = deps.studies.get(studyId);
  // Retrying cannot help: the definition is gone (its scheduler is removed at the next start).
  if (!study) throw new UnrecoverableError(`study ${studyId} is not defined in this process`);
  return study;
}

/** Computes the result of one run: the same study, due time and data give the same result. */
export async function computeStudyResult(study: StudyDefinition, data: StudyRunData, dueMillis: number, deps: ProcessorDeps): Promise<StudyResultJson> {
  if (study.kind === 'drift') return runDriftStudy(study, dueMillis, { warehouse: deps.warehouse, ...(deps.computeDrift ? { compute: deps.computeDrift } : {}) });
  return runCalibrationStudy(study, dueMillis, { warehouse: deps.warehouse }, data.window ? { window: data.window } : {});
}

/**
 * The BullMQ processor. A run publishes its result, then the incidents the
 * result raises; both are deterministic, so a retry or a run recovered from
 * a stalled (killed) worker publishes identical records, which the notary
 * stores once.
 */
export function createProcessor(deps: ProcessorDeps) {
  return async (job: Job): Promise<StudyRunReturn | unknown> => {
    if (job.name === AGENT_VERSION_CHECK) {
      const study = studyOf(deps, (job.data as TriggerCheckData).studyId);
      if (study.kind !== 'calibration') throw new UnrecoverableError(`study ${study.id} is not a calibration study`);
      return checkAgentVersionTrigger(study, { queue: deps.queue, warehouse: deps.warehouse });
    }
    if (job.name !== STUDY_RUN) throw new UnrecoverableError(`unknown job name ${job.name}`);
    const data = job.data as StudyRunData;
    const study = studyOf(deps, data.studyId);
    const dueMillis = dueMillisOfJob(job);
    if (dueMillis === undefined) throw new UnrecoverableError(`job ${job.id} has no due time`);

    const result = await computeStudyResult(study, data, dueMillis, deps);
    const { contentHash } = await deps.sink.publish(result);
    const incidentHashes: string[] = [];
    for (const incident of incidentsFor(study, result)) incidentHashes.push((await deps.sink.publishIncident(incident)).contentHash);
    if (study.kind === 'calibration' && result.labels.agent_version) await recordCalibratedAgentVersion(deps.queue, study.id, result.labels.agent_version);

    const summary: StudyRunReturn = {
      runId: result.run_id,
      studyId: study.id,
      studyVersion: study.version,
      dueMillis,
      trigger: data.trigger,
      verdict: result.verdict,
      contentHash,
      incidentHashes,
      result,
    };
    return summary;
  };
}
