import { createHash } from 'node:crypto';
import { controlsEvidencedBy, durationMs, type CalibrationStudyDefinition } from '@probity/catalog';
import type { Warehouse } from '@probity/warehouse';
import { studyRunId } from '../schedule/job-ids.js';
import { STATS_LIBRARY, statsLibraryVersion } from '../result/library-version.js';
import { finalizeStudyResult, isoOf, type StudyFindingJson, type StudyResultJson } from '../result/study-result.js';
import type { Verdict } from '../study/verdict.js';
import { calibrationWindow, type TimeWindow } from '../study/windows.js';
import { judgeCalibration } from './judge-calibration.js';
import { readMeasurements } from './measurement-reader.js';
import { pairMeasurements } from './pair-measurements.js';

export interface CalibrationRunOptions {
  /** A run triggered by an agent version change reads this window instead of the scheduled one. */
  window?: TimeWindow;
}

/**
 * One run of a calibration study (ISO 9001 cl. 7.1.5): the monitoring
 * agent's readings of a metric against synthetic probe readings of the same
 * metric, both taken from MONITORING evidence, paired in time.
 */
export async function runCalibrationStudy(
  study: CalibrationStudyDefinition,
  dueMillis: number,
  deps: { warehouse: Warehouse },
  options: CalibrationRunOptions = {},
): Promise<StudyResultJson> {
  const window = options.window ?? calibrationWindow(study, dueMillis);
  const readings = await readMeasurements(
    deps.warehouse,
    { tenant: study.scope.tenant, modelId: study.scope.model_id, metric: study.metric.name, agents: [study.metric.agent, study.reference.probe_agent] },
    window,
  );
  const probes = readings.filter((m) => m.agent === study.reference.probe_agent);
  const agentReadings = readings.filter((m) => m.agent === study.metric.agent);
  const pairs = pairMeasurements(probes, agentReadings, durationMs(study.reference.pairing_tolerance) * 1000);

  const labels: Record<string, string> = { due_at: isoOf(dueMillis) };
  let findings: StudyFindingJson[] = [];
  let verdict: Verdict = 'INSUFFICIENT_DATA';
  if (pairs.length < study.acceptance.minimum_pairs) {
    labels.insufficient_reason = `${pairs.length} of ${study.acceptance.minimum_pairs} paired readings (${probes.length} probe, ${agentReadings.length} agent)`;
  } else {
    const judged = judgeCalibration(study, pairs);
    findings = judged.findings;
    verdict = judged.verdict;
    Object.assign(labels, judged.labels);
  }
  const versions = [...new Set(pairs.map((p) => p.agent.agentVersion))].sort();
  const latest = pairs.length > 0 ? pairs[pairs.length - 1]!.agent.agentVersion : agentReadings.at(-1)?.agentVersion;
  if (latest) labels.agent_version = latest;
  if (versions.length > 1) labels.agent_versions = versions.join(',');

  const used = pairs.flatMap((p) => [p.probe.contentHash, p.agent.contentHash]).sort();
  const inputsHash = createHash('sha256').update(used.join('\n')).digest('hex');

  return finalizeStudyResult({
    tenant: study.scope.tenant,
    study_id: study.id,
    study_version: study.version,
    run_id: studyRunId(study, dueMillis),
    kind: 'CALIBRATION',
    model_id: study.scope.model_id,
    occurred_at: isoOf(dueMillis),
    started_at: isoOf(dueMillis),
    finished_at: isoOf(dueMillis),
    methods: ['relative_deviation', 'bland_altman'],
    parameters: {
      metric: study.metric.name,
      agent: study.metric.agent,
      probe_agent: study.reference.probe_agent,
      pairing_tolerance: study.reference.pairing_tolerance,
      pairing: 'nearest probe-agent reading in time, each reading used once',
      window: study.window,
      max_relative_deviation: String(study.acceptance.max_relative_deviation),
      minimum_pairs: String(study.acceptance.minimum_pairs),
      'relative_deviation.definition': '|mean(agent) - mean(probe)| / |mean(probe)|',
      'bland_altman.differences': 'agent - probe',
    },
    reference_window: { from: isoOf(window.from), to: isoOf(window.to), sample_size: probes.length, reference_version: study.reference.probe_agent },
    current_window: { from: isoOf(window.from), to: isoOf(window.to), sample_size: pairs.length, reference_version: null },
    results: findings,
    verdict,
    library: STATS_LIBRARY,
    library_version: statsLibraryVersion(),
    inputs: [{ id: 'paired-readings', kind: 'DATASET', sha256: inputsHash, uri: `probity://${study.scope.tenant}/evidence/monitoring/${encodeURIComponent(study.scope.model_id)}?from=${isoOf(window.from)}&to=${isoOf(window.to)}` }],
    controls: study.controls ?? controlsEvidencedBy({ recordType: 'StudyResult', studyKind: 'CALIBRATION' }),
    labels,
  });
}
