import type { MinimumSample } from '@probity/catalog';

export interface SampleCounts {
  records: number;
  /** Distinct UTC days with at least one record in the window. */
  activeDays: number;
}

export interface Sufficiency {
  sufficient: boolean;
  /** Why not, in words for the result's labels; empty when sufficient. */
  reason: string;
}

/**
 * "10,000 predictions or 7 days, whichever is larger" (`rule: larger`)
 * needs both: at least `records` records and at least `days` days with
 * traffic. `rule: smaller` is satisfied by either.
 */
export function checkMinimumSample(minimum: MinimumSample, counts: SampleCounts): Sufficiency {
  const enoughRecords = counts.records >= minimum.records;
  const enoughDays = counts.activeDays >= minimum.days;
  const sufficient = minimum.rule === 'larger' ? enoughRecords && enoughDays : enoughRecords || enoughDays;
  if (sufficient) return { sufficient, reason: '' };
  const missing: string[] = [];
  if (!enoughRecords) missing.push(`${counts.records} of ${minimum.records} records`);
  if (!enoughDays) missing.push(`${counts.activeDays} of ${minimum.days} days with data`);
  return { sufficient, reason: `minimum sample (${minimum.rule}) not reached: ${missing.join(minimum.rule === 'larger' ? ' and ' : ' or ')}` };
}
