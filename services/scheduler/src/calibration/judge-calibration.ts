import { blandAltman, mean, relativeDeviation } from '@probity/stats';
import type { CalibrationStudyDefinition } from '@probity/catalog';
import type { StudyFindingJson } from '../result/study-result.js';
import type { Verdict } from '../study/verdict.js';
import type { MeasurementPair } from './pair-measurements.js';

export interface CalibrationJudgement {
  findings: StudyFindingJson[];
  verdict: Verdict;
  /** Bland–Altman details that have no finding field of their own. */
  labels: Record<string, string>;
}

/**
 * Acceptance: |mean(agent) − mean(probe)| / |mean(probe)| below
 * `max_relative_deviation` → PASS, else FAIL. Bland–Altman bias and 95%
 * limits of agreement (agent − probe) are reported beside it, not judged:
 * their findings carry no threshold.
 */
export function judgeCalibration(study: CalibrationStudyDefinition, pairs: readonly MeasurementPair[]): CalibrationJudgement {
  const agent = Float64Array.from(pairs, (p) => p.agent.value);
  const probe = Float64Array.from(pairs, (p) => p.probe.value);
  const metric = study.metric.name;
  const deviation = relativeDeviation(mean(agent), mean(probe));
  const limit = study.acceptance.max_relative_deviation;
  const verdict: Verdict = deviation < limit ? 'PASS' : 'FAIL';
  const ba = blandAltman(agent, probe);
  const relative = (x: number): number | null => {
    const m = Math.abs(mean(probe));
    return m > 0 ? x / m : null;
  };
  const reported = (name: string, statistic: number): StudyFindingJson => ({
    name: `${metric}.${name}`,
    method: 'bland_altman',
    statistic,
    p_value: null,
    effect_size: relative(statistic),
    threshold: null,
    verdict: 'PASS',
  });
  return {
    verdict,
    findings: [
      { name: metric, method: 'relative_deviation', statistic: deviation, p_value: null, effect_size: null, threshold: limit, verdict },
      reported('bias', ba.bias),
      reported('loa_lower', ba.lowerLimit),
      reported('loa_upper', ba.upperLimit),
    ],
    labels: {
      'bland_altman.n': String(ba.n),
      'bland_altman.sd_differences': String(ba.sdDifferences),
      'bland_altman.bias_ci95': `${ba.biasCi.lower},${ba.biasCi.upper}`,
    },
  };
}
