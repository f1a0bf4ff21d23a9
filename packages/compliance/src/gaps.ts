import type { CellState, CoverageMatrix } from './coverage.js';

export type GapState = Extract<CellState, 'missing' | 'stale' | 'nonconforming'>;

export interface PoamItem {
  id: string;
  /** What is missing or wrong, and what would close it. */
  weakness: string;
  owner: string | null;
  /** ISO date the gap opened (start of its first period). */
  since: string;
  /** ISO date by which it should be closed. */
  due: string;
}

export interface Gap {
  control: string;
  title?: string;
  state: GapState;
  /** Periods the gap spans, first to last. */
  fromPeriod: string;
  toPeriod: string;
  status: 'open' | 'closed';
  reason: string;
  /** The record whose arrival closed the gap (the newest evidence of the first covered period after it). */
  closedBy?: { period: string; contentHash: string };
  findings: string[];
  poam: PoamItem;
}

export interface GapOptions {
  /** Days from a gap's opening to its POA&M due date. @defaultValue 30 */
  remediationDays?: number;
}

const GAP_STATES = new Set<CellState>(['missing', 'stale', 'nonconforming']);

/**
 * Gaps of a coverage matrix: each run of periods in which a control was
 * missing, stale or nonconforming, open when it reaches the last period,
 * closed (with the closing record) when a covered period follows. Each gap
 * has a POA&M item. A pure function of the matrix.
 */
export function gapAnalysis(matrix: CoverageMatrix, options: GapOptions = {}): Gap[] {
  const remediationMs = (options.remediationDays ?? 30) * 86_400_000;
  const startOf = new Map(matrix.periods.map((p) => [p.label, p.start]));
  const gaps: Gap[] = [];
  for (const row of matrix.rows) {
    let run: typeof row.cells = [];
    const close = (next: (typeof row.cells)[number] | undefined) => {
      if (run.length === 0) return;
      const first = run[0]!;
      const last = run[run.length - 1]!;
      // The state of the last period is the one to fix; earlier ones are history.
      const state = last.state as GapState;
      const since = new Date(startOf.get(first.period)!);
      gaps.push({
        control: row.control,
        ...(row.title ? { title: row.title } : {}),
        state,
        fromPeriod: first.period,
        toPeriod: last.period,
        status: next ? 'closed' : 'open',
        reason: last.reason,
        ...(next?.newest ? { closedBy: { period: next.period, contentHash: next.newest.contentHash } } : {}),
        findings: [...new Set(run.flatMap((c) => c.findings))],
        poam: {
          id: `POAM-${row.control}-${first.period}`,
          weakness: `${row.control}${row.title ? ` (${row.title})` : ''}: ${state} since ${first.period}: ${last.reason}`,
          owner: row.applicability.owner ?? null,
          since: since.toISOString(),
          due: new Date(since.getTime() + remediationMs).toISOString(),
        },
      });
      run = [];
    };
    for (const cell of row.cells) {
      if (GAP_STATES.has(cell.state)) run.push(cell);
      else if (cell.state === 'covered') close(cell);
      // not_applicable neither opens nor closes a gap.
    }
    close(undefined);
  }
  return gaps;
}
