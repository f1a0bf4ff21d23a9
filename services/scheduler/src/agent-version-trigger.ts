import { durationMs, type CalibrationStudyDefinition } from '@probity/catalog';
import type { Queue } from 'bullmq';
import type { Warehouse } from '@probity/warehouse';
import { lastCalibratedAgentVersion } from './agent-version-state.js';
import { readAgentVersions } from './calibration/measurement-reader.js';
import { runJobId } from './schedule/job-ids.js';
import { STUDY_RUN, STUDY_RUN_JOB_OPTIONS, type StudyRunData } from './queue-catalog.js';

export interface TriggerOutcome {
  triggered: boolean;
  reason: string;
  jobId?: string;
  agentVersion?: string;
}

/**
 * Decides from the evidence whether the monitoring agent changed version
 * since the last calibration; pure. The extra run covers [first report of
 * the new version, + settle) and is due at its end, so its id (and result)
 * is the same whichever scheduler process notices the change, and however often.
 */
export function agentVersionTrigger(
  versions: readonly { version: string; firstSeenMicros: number }[],
  lastCalibrated: string | null,
  settleMs: number,
): { version: string; window: { from: number; to: number } } | undefined {
  const latest = versions.at(-1);
  if (!latest || lastCalibrated === null || latest.version === lastCalibrated) return undefined;
  const from = Math.floor(latest.firstSeenMicros / 1000);
  return { version: latest.version, window: { from, to: from + settleMs } };
}

export async function checkAgentVersionTrigger(
  study: CalibrationStudyDefinition,
  deps: { queue: Queue; warehouse: Warehouse; now?: () => number },
): Promise<TriggerOutcome> {
  const settings = study.triggers?.agent_version_change;
  if (!settings) return { triggered: false, reason: 'study has no agent_version_change trigger' };
  const versions = await readAgentVersions(deps.warehouse, { tenant: study.scope.tenant, modelId: study.scope.model_id, agent: study.metric.agent });
  const last = await lastCalibratedAgentVersion(deps.queue, study.id);
  const trigger = agentVersionTrigger(versions, last, durationMs(settings.settle));
  if (!trigger) {
    return { triggered: false, reason: last === null ? 'no calibration has recorded an agent version yet' : `agent version unchanged (${last})` };
  }
  const dueMillis = trigger.window.to;
  const jobId = runJobId(study, dueMillis);
  const data: StudyRunData = { studyId: study.id, studyVersion: study.version, trigger: 'agent-version', dueMillis, window: trigger.window };
  const now = (deps.now ?? Date.now)();
  await deps.queue.add(STUDY_RUN, data, { ...STUDY_RUN_JOB_OPTIONS, jobId, delay: Math.max(0, dueMillis - now) });
  return { triggered: true, reason: `agent version ${last} → ${trigger.version}`, jobId, agentVersion: trigger.version };
}
