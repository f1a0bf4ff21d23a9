import { describe, expect, it } from 'vitest';
import { DEMO_LIVE, liveInference, monitoringManifests, referenceInference } from './study-data.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 7, 15, 30);
const at = (r: Record<string, unknown>) => Date.parse(String(r.occurred_at));

describe('demo study data', () => {
  it('is the same record for the same slot whenever the demo runs, so re-runs deduplicate', () => {
    const first = liveInference(NOW);
    const later = liveInference(NOW + 30 * HOUR);
    const byId = new Map(later.map((r) => [r.request_id, r]));
    // Everything emitted the first time that is still in the later run's days comes out identical.
    const overlap = first.filter((r) => byId.has(r.request_id));
    expect(overlap.length).toBeGreaterThan(5000);
    for (const r of overlap) expect(byId.get(r.request_id)).toEqual(r);
    expect(monitoringManifests(NOW).slice(-3)).toEqual(monitoringManifests(NOW + 24 * HOUR).filter((m) => at(m) < NOW && at(m) >= NOW - HOUR));
    expect(referenceInference()).toEqual(referenceInference());
  });

  it('covers the 7 days before today and today up to now, never the future', () => {
    const live = liveInference(NOW);
    const times = live.map(at);
    expect(Math.min(...times)).toBe(Date.UTC(2026, 10, 30));
    expect(Math.max(...times)).toBeLessThan(NOW);
    expect(live.filter((r) => at(r) >= NOW - 7 * 24 * HOUR)).toHaveLength((7 * 24 * HOUR) / DEMO_LIVE.intervalMs);
    expect(Math.max(...monitoringManifests(NOW).map(at))).toBeLessThan(NOW);
  });
});
