import { controlsEvidencedBy, type DriftStudyDefinition } from '@probity/catalog';
import type { Warehouse } from '@probity/warehouse';
import { studyRunId } from '../schedule/job-ids.js';
import { checkMinimumSample } from '../study/minimum-sample.js';
import { judge, overallVerdict, type Verdict } from '../study/verdict.js';
import { driftCurrentWindow, driftReferenceWindow, type TimeWindow } from '../study/windows.js';
import { STATS_LIBRARY, statsLibraryVersion } from '../result/library-version.js';
import { finalizeStudyResult, isoOf, type ArtifactJson, type StudyFindingJson, type StudyResultJson } from '../result/study-result.js';
import type { DriftComputeInput, DriftComputeOutput } from './compute-drift.js';
import { computeDriftInWorker } from './compute-in-worker.js';
import { countInference, readFeatureSample, type InferenceScope } from './inference-reader.js';

export interface DriftRunDeps {
  warehouse: Warehouse;
  /** @defaultValue computeDriftInWorker (a worker thread) */
  compute?: (input: DriftComputeInput) => Promise<DriftComputeOutput>;
}

function windowUri(scope: InferenceScope, window: TimeWindow): string {
  const q = new URLSearchParams({ from: isoOf(window.from), to: isoOf(window.to), ...(scope.modelVersion ? { model_version: scope.modelVersion } : {}) });
  return `probity://${scope.tenant}/inference/${encodeURIComponent(scope.modelId)}?${q.toString()}`;
}

function parametersOf(study: DriftStudyDefinition): Record<string, string> {
  const p: Record<string, string> = {
    bins: String(study.bins),
    window: study.window,
    'minimum_sample.records': String(study.minimum_sample.records),
    'minimum_sample.days': String(study.minimum_sample.days),
    'minimum_sample.rule': study.minimum_sample.rule,
    'reference.model_version': study.reference.model_version,
    'reference.minimum_records': String(study.reference.minimum_records),
    'ks.alternative': 'two-sided',
    'psi.epsilon': '0.0001',
    'psi.binning': 'reference quantiles',
    'js.base': '2',
    'wasserstein.effect_size': 'W1 / sd(reference)',
    'chi2.effect_size': 'cramers_v',
  };
  for (const method of study.methods) p[`thresholds.${method}`] = JSON.stringify(study.thresholds[method]);
  return p;
}

/**
 * One run of a drift study for one due time: count, check the minimum
 * sample, read the samples, compute in a worker thread, judge. Not enough
 * data gives INSUFFICIENT_DATA, never a verdict on too little evidence.
 */
export async function runDriftStudy(study: DriftStudyDefinition, dueMillis: number, deps: DriftRunDeps): Promise<StudyResultJson> {
  const current = driftCurrentWindow(study, dueMillis);
  const reference = driftReferenceWindow(study);
  const currentScope: InferenceScope = { tenant: study.scope.tenant, modelId: study.scope.model_id };
  const referenceScope: InferenceScope = { ...currentScope, modelVersion: study.reference.model_version };
  const [currentCounts, referenceCounts] = [
    await countInference(deps.warehouse, currentScope, current),
    await countInference(deps.warehouse, referenceScope, reference),
  ];

  const labels: Record<string, string> = { due_at: isoOf(dueMillis) };
  const findings: StudyFindingJson[] = [];
  const verdicts: Verdict[] = [];
  const inputs: ArtifactJson[] = [];
  let referenceVersion = study.reference.model_version;

  const sufficiency = checkMinimumSample(study.minimum_sample, currentCounts);
  const referenceShort = referenceCounts.records < study.reference.minimum_records;
  if (!sufficiency.sufficient || referenceShort) {
    const reasons = [sufficiency.reason, referenceShort ? `reference has ${referenceCounts.records} of ${study.reference.minimum_records} records` : ''].filter(Boolean);
    labels.insufficient_reason = reasons.join('; ');
    verdicts.push('INSUFFICIENT_DATA');
  } else {
    const features = [];
    for (const name of study.features) {
      features.push({
        name,
        reference: await readFeatureSample(deps.warehouse, referenceScope, reference, name),
        current: await readFeatureSample(deps.warehouse, currentScope, current, name),
      });
    }
    const output = await (deps.compute ?? computeDriftInWorker)({ features, methods: study.methods, bins: study.bins });
    referenceVersion = `${study.reference.model_version}@sha256:${output.referenceHash}`;
    inputs.push(
      { id: 'reference', kind: 'DATASET', sha256: output.referenceHash, uri: windowUri(referenceScope, reference) },
      { id: 'current', kind: 'DATASET', sha256: output.currentHash, uri: windowUri(currentScope, current) },
    );
    const short: string[] = [];
    for (const feature of output.features) {
      const enough =
        feature.referenceSize >= study.reference.minimum_records &&
        checkMinimumSample(study.minimum_sample, { records: feature.currentSize, activeDays: currentCounts.activeDays }).sufficient;
      if (!enough) {
        short.push(`${feature.name} (reference ${feature.referenceSize}, current ${feature.currentSize})`);
        verdicts.push('INSUFFICIENT_DATA');
        continue;
      }
      for (const method of study.methods) {
        const numbers = feature.methods[method]!;
        const { verdict, threshold } = judge(study.thresholds[method]!, numbers);
        verdicts.push(verdict);
        findings.push({ name: feature.name, method, ...numbers, threshold, verdict });
      }
    }
    if (short.length > 0) labels.insufficient_features = short.join(', ');
  }

  return finalizeStudyResult({
    tenant: study.scope.tenant,
    study_id: study.id,
    study_version: study.version,
    run_id: studyRunId(study, dueMillis),
    kind: 'DRIFT',
    model_id: study.scope.model_id,
    occurred_at: isoOf(dueMillis),
    started_at: isoOf(dueMillis),
    finished_at: isoOf(dueMillis),
    methods: study.methods,
    parameters: parametersOf(study),
    reference_window: { from: isoOf(reference.from), to: isoOf(reference.to), sample_size: referenceCounts.records, reference_version: referenceVersion },
    current_window: { from: isoOf(current.from), to: isoOf(current.to), sample_size: currentCounts.records, reference_version: null },
    results: findings,
    verdict: overallVerdict(verdicts),
    library: STATS_LIBRARY,
    library_version: statsLibraryVersion(),
    inputs,
    controls: study.controls ?? controlsEvidencedBy({ recordType: 'StudyResult', studyKind: 'DRIFT' }),
    labels,
  });
}
