import { CONTROL_CATALOGS } from './controls/catalog.js';
import type { Control, Framework } from './controls/control.js';

export interface FrameworkCoverage {
  framework: Framework;
  total: number;
  covered: Control[];
  /** Controls with no evidence: the gaps an auditor will ask about. */
  gaps: Control[];
  /** covered / total, in [0, 1]. */
  ratio: number;
}

export interface CoverageReport {
  frameworks: FrameworkCoverage[];
  /** Evidenced ids that no catalog lists (typos, or frameworks not catalogued). */
  unknown: string[];
}

/** Coverage and gaps of each framework, given the control ids that have evidence in a period. */
export function coverageReport(evidencedControlIds: Iterable<string>, frameworks: readonly Framework[] = Object.keys(CONTROL_CATALOGS) as Framework[]): CoverageReport {
  const evidenced = new Set(evidencedControlIds);
  const known = new Set<string>();
  const out: FrameworkCoverage[] = [];
  for (const framework of frameworks) {
    const controls = CONTROL_CATALOGS[framework];
    const covered = controls.filter((c) => evidenced.has(c.id));
    const gaps = controls.filter((c) => !evidenced.has(c.id));
    controls.forEach((c) => known.add(c.id));
    out.push({ framework, total: controls.length, covered, gaps, ratio: controls.length === 0 ? 0 : covered.length / controls.length });
  }
  const all = new Set(Object.values(CONTROL_CATALOGS).flat().map((c) => c.id));
  const unknown = [...evidenced].filter((id) => !all.has(id)).sort();
  return { frameworks: out, unknown };
}
