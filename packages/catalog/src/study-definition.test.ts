import { describe, expect, it } from 'vitest';
import { parseStudyDefinition } from './study-definition.js';

const drift = () => ({
  id: 'credit-risk-drift',
  version: 3,
  kind: 'drift',
  scope: { tenant: 'demo', model_id: 'credit-risk' },
  schedule: { cron: '0 2 * * 1', tz: 'Europe/Berlin' },
  features: ['income', 'debt_ratio'],
  methods: ['psi', 'ks'],
  reference: { model_version: '4.1.0', from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' },
  window: '7d',
  minimum_sample: { records: 10000, days: 7, rule: 'larger' },
  thresholds: {
    psi: { statistic: { warning: 0.1, critical: 0.25 } },
    ks: { p_value: { warning: 0.01, critical: 0.001 }, effect_size: { warning: 0.05, critical: 0.1 }, combine: 'all' },
  },
});

const calibration = () => ({
  id: 'latency-p99-calibration',
  version: '1',
  kind: 'calibration',
  scope: { tenant: 'demo', model_id: 'credit-risk' },
  schedule: { interval: 'quarterly' },
  metric: { name: 'latency_p99_ms', agent: 'apm-agent' },
  reference: { probe_agent: 'synthetic-probe' },
  window: '90d',
  acceptance: { max_relative_deviation: 0.05 },
  triggers: { agent_version_change: {} },
});

function issuesOf(doc: unknown) {
  const parsed = parseStudyDefinition(doc);
  if (parsed.ok) throw new Error('expected issues');
  return parsed.issues;
}

describe('parseStudyDefinition', () => {
  it('accepts a drift study and fills defaults', () => {
    const parsed = parseStudyDefinition(drift());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.definition.kind !== 'drift') return;
    expect(parsed.definition.version).toBe('3');
    expect(parsed.definition.bins).toBe(10);
    expect(parsed.definition.escalation).toEqual({ warning: 'notify', critical: 'incident' });
    expect(parsed.definition.reference.minimum_records).toBe(100);
    expect(parsed.definition.thresholds.ks?.combine).toBe('all');
  });

  it('accepts a calibration study with trigger defaults', () => {
    const parsed = parseStudyDefinition(calibration());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.definition.kind !== 'calibration') return;
    expect(parsed.definition.schedule).toEqual({ interval: 'quarterly', tz: 'UTC' });
    expect(parsed.definition.triggers?.agent_version_change).toEqual({ check_every: '5m', settle: '1h' });
    expect(parsed.definition.acceptance.minimum_pairs).toBe(2);
  });

  it('names the field of each problem', () => {
    const doc = drift() as Record<string, any>;
    doc.features = ['income', 'income'];
    doc.window = '7 days';
    doc.thresholds.psi = { p_value: { warning: 0.01 } };
    delete doc.thresholds.ks;
    doc.schedule = { cron: '0 2 * * 1', every: '1h' };
    const fields = issuesOf(doc).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['features', 'window', 'thresholds.psi.p_value', 'thresholds.ks', 'schedule']));
  });

  it('rejects thresholds whose levels are in the wrong order', () => {
    const doc = drift() as Record<string, any>;
    doc.thresholds.psi = { statistic: { warning: 0.3, critical: 0.25 } };
    doc.thresholds.ks.p_value = { warning: 0.001, critical: 0.01 };
    expect(issuesOf(doc).map((i) => i.field)).toEqual(expect.arrayContaining(['thresholds.psi.statistic', 'thresholds.ks.p_value']));
  });

  it('rejects an unknown kind, an id with a colon, a bad time zone and unknown keys', () => {
    expect(issuesOf({ ...drift(), kind: 'accuracy' })[0]!.field).toBe('kind');
    const fields = issuesOf({ ...drift(), id: 'a:b', schedule: { every: '1h', tz: 'Mars/Olympus' }, extra: 1 }).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['id', 'schedule.tz', '']));
  });

  it('rejects a calibration study that probes with the agent under calibration', () => {
    const doc = calibration();
    doc.reference.probe_agent = 'apm-agent';
    expect(issuesOf(doc).map((i) => i.field)).toContain('reference.probe_agent');
  });

  it('reports a reversed reference range at reference.to', () => {
    const doc = drift();
    doc.reference.to = '2024-01-01T00:00:00Z';
    expect(issuesOf(doc).map((i) => i.field)).toContain('reference.to');
  });
});
