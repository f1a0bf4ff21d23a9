export { createScheduler } from './create-scheduler.js';
export { startSchedulerService } from './start-service.js';
export type { SchedulerService } from './start-service.js';
export type { Scheduler, SchedulerOptions, SchedulerLogger, WorkerSettings } from './create-scheduler.js';
export { enqueueStudyRun } from './enqueue-run.js';
export { renderStudiesTable, renderHistoryTable } from './render-status.js';
export { loadStudies, parseStudyFile } from './definitions/load-studies.js';
export { SchedulerError } from './errors.js';
export type { SchedulerErrorCode } from './errors.js';
export { loadSchedulerConfig, schedulerEnvShape } from './config.js';
export type { SchedulerConfig } from './config.js';
export { redisOptionsFromUrl } from './redis-connection.js';
export {
  DEFAULT_QUEUE_NAME,
  STUDY_RUN,
  AGENT_VERSION_CHECK,
  STUDY_RUN_JOB_OPTIONS,
  TRIGGER_CHECK_JOB_OPTIONS,
} from './queue-catalog.js';
export type { StudyRunData, StudyRunReturn, TriggerCheckData, RunTrigger } from './queue-catalog.js';
export { runSchedulerId, triggerSchedulerId, runJobId, studyRunId, dueMillisOfJob } from './schedule/job-ids.js';
export { repeatOptionsOf } from './schedule/repeat-options.js';
export type { RepeatOptions } from './schedule/repeat-options.js';
export { dueBefore, cronProblem } from './schedule/due-times.js';
export { syncJobSchedulers } from './schedule/sync-schedulers.js';
export type { SyncOutcome } from './schedule/sync-schedulers.js';
export { studiesStatus, studyHistory } from './status.js';
export type { StudyStatus, RunRecord, RunState } from './status.js';
export { createProcessor, computeStudyResult } from './process-job.js';
export type { ProcessorDeps } from './process-job.js';
export { checkAgentVersionTrigger, agentVersionTrigger } from './agent-version-trigger.js';
export type { TriggerOutcome } from './agent-version-trigger.js';
export { runDriftStudy } from './drift/run-drift.js';
export type { DriftRunDeps } from './drift/run-drift.js';
export { computeDrift } from './drift/compute-drift.js';
export type { DriftComputeInput, DriftComputeOutput, DriftFeatureNumbers } from './drift/compute-drift.js';
export { computeDriftInWorker } from './drift/compute-in-worker.js';
export { runCalibrationStudy } from './calibration/run-calibration.js';
export { pairMeasurements } from './calibration/pair-measurements.js';
export { judgeCalibration } from './calibration/judge-calibration.js';
export { checkMinimumSample } from './study/minimum-sample.js';
export type { SampleCounts, Sufficiency } from './study/minimum-sample.js';
export { judge, overallVerdict } from './study/verdict.js';
export type { Verdict, MethodNumbers, Judgement } from './study/verdict.js';
export { driftCurrentWindow, driftReferenceWindow, calibrationWindow } from './study/windows.js';
export type { TimeWindow } from './study/windows.js';
export { hashSortedSamples } from './study/sample-hash.js';
export { finalizeStudyResult } from './result/study-result.js';
export type { StudyResultJson, StudyFindingJson, StudyWindowJson, ArtifactJson } from './result/study-result.js';
export { incidentsFor, SCHEDULER_PRINCIPAL } from './result/escalation.js';
export type { IncidentJson } from './result/escalation.js';
export { emitterResultSink } from './result/result-sink.js';
export type { ResultSink, RecordEmitter } from './result/result-sink.js';
export { statsLibraryVersion, STATS_LIBRARY } from './result/library-version.js';
