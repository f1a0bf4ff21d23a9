import type { MethodThreshold } from '@probity/catalog';

export type Verdict = 'PASS' | 'WARNING' | 'CRITICAL' | 'INSUFFICIENT_DATA' | 'FAIL';

/** A method's numbers on one feature. */
export interface MethodNumbers {
  statistic: number;
  p_value: number | null;
  effect_size: number | null;
}

export interface Judgement {
  verdict: 'PASS' | 'WARNING' | 'CRITICAL';
  /** The level reported beside the verdict: the one crossed, or the first one to cross when PASS. */
  threshold: number | null;
}

type Criterion = 'p_value' | 'statistic' | 'effect_size';
/** Reporting order: the p-value level first when there is one (what readers expect beside a test), then the statistic. */
const CRITERIA: readonly Criterion[] = ['p_value', 'statistic', 'effect_size'];

function crosses(criterion: Criterion, value: number | null, level: number): boolean {
  if (value === null || Number.isNaN(value)) return false;
  return criterion === 'p_value' ? value < level : value >= level;
}

/** Whether the numbers reach a level; undefined when no criterion defines that level. */
function reaches(t: MethodThreshold, n: MethodNumbers, level: 'warning' | 'critical'): { hit: boolean; threshold: number } | undefined {
  const results: boolean[] = [];
  let threshold: number | undefined;
  for (const criterion of CRITERIA) {
    const value = t[criterion]?.[level];
    if (value === undefined) continue;
    threshold ??= value;
    results.push(crosses(criterion, n[criterion], value));
  }
  if (threshold === undefined) return undefined;
  return { hit: t.combine === 'all' ? results.every(Boolean) : results.some(Boolean), threshold };
}

/**
 * Verdict of one method on one feature. Thresholds may use the p-value, the
 * statistic or the effect size, combined with `all` (every criterion must
 * cross) or `any`. At 10^7 samples any KS p-value is tiny, so production
 * thresholds usually pair it with an effect size.
 */
export function judge(t: MethodThreshold, n: MethodNumbers): Judgement {
  const critical = reaches(t, n, 'critical');
  if (critical?.hit) return { verdict: 'CRITICAL', threshold: critical.threshold };
  const warning = reaches(t, n, 'warning');
  if (warning?.hit) return { verdict: 'WARNING', threshold: warning.threshold };
  return { verdict: 'PASS', threshold: warning?.threshold ?? critical?.threshold ?? null };
}

const SEVERITY: Record<Verdict, number> = { PASS: 0, INSUFFICIENT_DATA: 1, WARNING: 2, CRITICAL: 3, FAIL: 3 };

/**
 * The study's verdict from its findings: the worst one. Insufficient data
 * outranks PASS — a study that could not judge a feature never claims PASS —
 * but not a WARNING or CRITICAL found on the features that had data.
 */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'INSUFFICIENT_DATA';
  let worst: Verdict = 'PASS';
  for (const v of verdicts) if (SEVERITY[v] > SEVERITY[worst]) worst = v;
  return worst;
}
