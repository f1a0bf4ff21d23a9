import type { RunRecord, StudyStatus } from './status.js';

const iso = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** `probity studies list`: one line per study; OVERDUE studies are marked and explained below the table. */
export function renderStudiesTable(statuses: readonly StudyStatus[]): string {
  const rows = statuses.map((s) => [
    s.overdue ? '!' : ' ',
    s.id,
    `v${s.version}`,
    s.kind,
    `${s.tenant}/${s.modelId}`,
    s.schedule,
    iso(s.nextDue),
    s.lastRun ? `${iso(s.lastRun.dueMillis)} ${s.lastRun.state}${s.lastRun.verdict ? ` ${s.lastRun.verdict}` : ''}` : 'never',
  ]);
  const overdue = statuses.filter((s) => s.overdue).map((s) => `OVERDUE ${s.id}: ${s.overdueReason}`);
  const unscheduled = statuses.filter((s) => s.nextDue === null).map((s) => `not scheduled ${s.id}: no scheduler has registered it yet (is the scheduler running?)`);
  return table([' ', 'study', 'version', 'kind', 'scope', 'schedule', 'next due', 'last run'], rows) + [...overdue, ...unscheduled].map((l) => `${l}\n`).join('');
}

/** `probity studies history <id>`: newest due time first, failures with their reason. */
export function renderHistoryTable(records: readonly RunRecord[]): string {
  if (records.length === 0) return 'no runs kept for this study\n';
  const rows = records.map((r) => [iso(r.dueMillis), r.state, r.trigger, r.verdict ?? '-', String(r.attemptsMade), r.contentHash ?? r.failedReason ?? '', r.jobId]);
  return table(['due', 'state', 'trigger', 'verdict', 'attempts', 'content hash / failure', 'job'], rows);
}
