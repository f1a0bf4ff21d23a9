import type { CatalogControl, Catalogs, Crosswalk } from './catalogs.js';
import type { Relation } from './catalog-files.js';

export interface FrameworkCoverage {
  framework: string;
  edition: string;
  total: number;
  covered: CatalogControl[];
  /** Controls with no evidence: the gaps an auditor will ask about. */
  gaps: CatalogControl[];
  /** covered / total, in [0, 1]. */
  ratio: number;
}

export interface CoverageReport {
  frameworks: FrameworkCoverage[];
  /** Evidenced ids that no catalog lists (typos, or frameworks not catalogued). */
  unknown: string[];
}

/** Coverage and gaps of each framework, given the control ids that have evidence in a period (aliases count as their control). */
export function coverageReport(catalogs: Catalogs, evidencedControlIds: Iterable<string>, frameworks: readonly string[] = catalogs.frameworkIds()): CoverageReport {
  const evidenced = new Set<string>();
  const unknown: string[] = [];
  for (const id of new Set(evidencedControlIds)) {
    const control = catalogs.findControl(id);
    if (control) evidenced.add(control.id);
    else unknown.push(id);
  }
  const out = frameworks.map((id) => {
    const catalog = catalogs.framework(id);
    const covered = catalog.controls.filter((c) => evidenced.has(c.id));
    const gaps = catalog.controls.filter((c) => !evidenced.has(c.id));
    return { framework: id, edition: catalog.edition, total: catalog.controls.length, covered, gaps, ratio: covered.length / catalog.controls.length };
  });
  return { frameworks: out, unknown: unknown.sort() };
}

/** One control of the target framework, seen through a crosswalk: which mapped source controls have evidence. */
export interface ViewedControl {
  control: CatalogControl;
  /** Every source control mapped to it, with the relation (source to target) and whether it has evidence. */
  via: { control: string; relation: Relation; evidenced: boolean }[];
  /** At least one mapped source control has evidence. */
  supported: boolean;
}

/**
 * Coverage of `crosswalk.to`'s framework seen through evidence filed under
 * `crosswalk.from`'s: e.g. which ISO/IEC 42001 controls have support from
 * records that name EU AI Act articles. A pointer for an auditor, not a
 * verdict: only `equal` and `superset` relations carry a requirement fully.
 */
export function viewThrough(catalogs: Catalogs, crosswalk: Crosswalk, evidencedControlIds: Iterable<string>): ViewedControl[] {
  const evidenced = new Set([...evidencedControlIds].map((id) => catalogs.findControl(id)?.id ?? id));
  const byTarget = new Map<string, ViewedControl['via']>();
  for (const m of crosswalk.mappings) {
    const list = byTarget.get(m.to) ?? [];
    list.push({ control: m.from, relation: m.relation, evidenced: evidenced.has(m.from) });
    byTarget.set(m.to, list);
  }
  return catalogs.framework(crosswalk.to.framework).controls.map((control) => {
    const via = byTarget.get(control.id) ?? [];
    return { control, via, supported: via.some((v) => v.evidenced) };
  });
}
