import { ComplianceError } from './errors.js';

export type Granularity = 'month' | 'quarter';

export interface Period {
  /** `2026-07` or `2026-Q3`. */
  label: string;
  /** Inclusive start, ms since the epoch (UTC midnight). */
  start: number;
  /** Exclusive end. */
  end: number;
}

/** Calendar months or quarters (UTC) that overlap [from, to). */
export function periodsBetween(from: Date, to: Date, granularity: Granularity): Period[] {
  if (!(from.getTime() < to.getTime())) throw new ComplianceError('COVERAGE_REQUEST_INVALID', `the period must start before it ends (from ${from.toISOString()}, to ${to.toISOString()})`);
  const step = granularity === 'month' ? 1 : 3;
  let year = from.getUTCFullYear();
  let month = granularity === 'month' ? from.getUTCMonth() : Math.floor(from.getUTCMonth() / 3) * 3;
  const out: Period[] = [];
  for (;;) {
    const start = Date.UTC(year, month, 1);
    if (start >= to.getTime()) break;
    const end = Date.UTC(year, month + step, 1);
    out.push({ label: granularity === 'month' ? `${year}-${String(month + 1).padStart(2, '0')}` : `${year}-Q${month / 3 + 1}`, start, end });
    month += step;
    if (month >= 12) {
      month -= 12;
      year += 1;
    }
    if (out.length > 1200) throw new ComplianceError('COVERAGE_REQUEST_INVALID', 'more than 1,200 periods: ask for a shorter range or quarters');
  }
  return out;
}
