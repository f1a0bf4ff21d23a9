import type { Control, Framework } from './control.js';
import { EU_AI_ACT_ARTICLES } from './eu-ai-act.js';
import { ISO27001_ANNEX_A } from './iso27001.js';
import { ISO42001_ANNEX_A } from './iso42001.js';
import { ISO9001_CLAUSES } from './iso9001.js';

export const CONTROL_CATALOGS: Readonly<Record<Framework, readonly Control[]>> = Object.freeze({
  iso42001: ISO42001_ANNEX_A,
  iso27001: ISO27001_ANNEX_A,
  iso9001: ISO9001_CLAUSES,
  euaiact: EU_AI_ACT_ARTICLES,
});

export const ALL_CONTROLS: readonly Control[] = Object.freeze(Object.values(CONTROL_CATALOGS).flat());

const BY_ID = new Map(ALL_CONTROLS.map((c) => [c.id, c]));

/** The control with this id (`iso42001:A.6.2.6`), or undefined when no catalog lists it. */
export function findControl(id: string): Control | undefined {
  return BY_ID.get(id);
}
