import type { StudyResultJson } from '@probity/scheduler';

const SEVERITY = ['PASS', 'INSUFFICIENT_DATA', 'WARNING', 'CRITICAL', 'FAIL'];
const worst = (verdicts: readonly string[]) => verdicts.reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), 'PASS');
const fixed = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '-' : x.toFixed(digits));
const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');
/** Tiny p-values in exponent form; a p-value that underflowed to 0 as a bound. */
const pValue = (p: number | null) => (p === null ? '-' : p === 0 ? '< 1e-300' : p < 0.001 ? p.toExponential(1) : p.toFixed(3));
const count = (n: number) => n.toLocaleString('en-US');

/** Per feature: the figure each method is judged on, then the feature's worst verdict. */
function driftLines(result: StudyResultJson): string[] {
  const lines = [
    `    current ${count(result.current_window.sample_size)} records ${day(result.current_window.from)} → ${day(result.current_window.to)} UTC; ` +
      `reference ${count(result.reference_window.sample_size)} records of ${result.parameters['reference.model_version'] ?? '?'} (${day(result.reference_window.from)} → ${day(result.reference_window.to)})`,
  ];
  const features = [...new Set(result.results.map((f) => f.name))];
  for (const feature of features) {
    const findings = result.results.filter((f) => f.name === feature);
    const by = (method: string) => findings.find((f) => f.method === method);
    const figures = [
      by('psi') && `PSI ${fixed(by('psi')!.statistic)}`,
      by('ks') && `KS D ${fixed(by('ks')!.statistic)} (p ${pValue(by('ks')!.p_value)})`,
      by('wasserstein') && `W1/sd ${fixed(by('wasserstein')!.effect_size)}`,
      by('js') && `JS ${fixed(by('js')!.statistic)}`,
      by('chi2') && `Cramér's V ${fixed(by('chi2')!.effect_size)}`,
    ].filter(Boolean);
    lines.push(`    ${feature.padEnd(24)}${figures.join('  ')}  → ${worst(findings.map((f) => f.verdict))}`);
  }
  return lines;
}

function calibrationLines(result: StudyResultJson): string[] {
  const deviation = result.results.find((f) => f.method === 'relative_deviation');
  if (!deviation) return [];
  const metric = result.parameters.metric ?? deviation.name;
  const stat = (suffix: string) => result.results.find((f) => f.name === `${metric}.${suffix}`)?.statistic;
  const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  return [
    `    ${result.parameters.agent} ${metric} against ${result.parameters.probe_agent}: deviation ${percent(deviation.statistic)} (limit ${percent(deviation.threshold)}) over ${count(result.current_window.sample_size)} paired readings; ` +
      `bias ${fixed(stat('bias'), 1)} (95% limits of agreement ${fixed(stat('loa_lower'), 1)} … ${fixed(stat('loa_upper'), 1)})`,
  ];
}

/** What `probity demo` prints for one study run: the verdict and the figures it rests on. */
export function describeStudyResult(result: StudyResultJson): string[] {
  const head = `${result.study_id} (${result.kind.toLowerCase()}, due ${result.occurred_at}): ${result.verdict}`;
  if (result.verdict === 'INSUFFICIENT_DATA') return [head, `    ${result.labels.insufficient_reason ?? 'not enough data'}`];
  return [head, ...(result.kind === 'DRIFT' ? driftLines(result) : calibrationLines(result))];
}
