import { describe, expect, it } from 'vitest';
import { checkMinimumSample } from './minimum-sample.js';

const larger = { records: 10_000, days: 7, rule: 'larger' as const };
const smaller = { ...larger, rule: 'smaller' as const };

describe('minimum sample: "10,000 predictions or 7 days, whichever is larger"', () => {
  it('needs both the records and the days under rule larger', () => {
    expect(checkMinimumSample(larger, { records: 10_000, activeDays: 7 }).sufficient).toBe(true);
    expect(checkMinimumSample(larger, { records: 50_000, activeDays: 3 })).toEqual({
      sufficient: false,
      reason: 'minimum sample (larger) not reached: 3 of 7 days with data',
    });
    expect(checkMinimumSample(larger, { records: 9_999, activeDays: 8 }).reason).toContain('9999 of 10000 records');
    expect(checkMinimumSample(larger, { records: 0, activeDays: 0 }).reason).toBe('minimum sample (larger) not reached: 0 of 10000 records and 0 of 7 days with data');
  });

  it('needs either under rule smaller', () => {
    expect(checkMinimumSample(smaller, { records: 50_000, activeDays: 3 }).sufficient).toBe(true);
    expect(checkMinimumSample(smaller, { records: 10, activeDays: 7 }).sufficient).toBe(true);
    expect(checkMinimumSample(smaller, { records: 10, activeDays: 6 }).reason).toContain(' or ');
  });
});
