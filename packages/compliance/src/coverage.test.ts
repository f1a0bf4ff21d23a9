import { describe, expect, it } from 'vitest';
import { defaultCatalogs } from '@probity/catalog';
import { computeCoverage, type CoverageRecord, type CoverageRequest } from './coverage.js';
import { gapAnalysis } from './gaps.js';
import { loadRequirementSet, parseRequirementSet } from './requirements.js';
import { ComplianceError } from './errors.js';

const DAY = 86_400_000;
const requirements = loadRequirementSet();
const at = (iso: string) => Date.parse(iso);
let n = 0;
function record(partial: Partial<CoverageRecord> & Pick<CoverageRecord, 'recordType' | 'occurredAt'>): CoverageRecord {
  n += 1;
  return { contentHash: n.toString(16).padStart(64, '0'), stage: '', controls: [], notarizedAt: partial.occurredAt + 60_000, ...partial };
}
const calibration = (occurredAt: number, verdict: string, extra: Partial<CoverageRecord> = {}) =>
  record({ recordType: 'StudyResult', stage: 'MONITORING', studyKind: 'CALIBRATION', studyId: 'latency-calibration', verdict, occurredAt, ...extra });

function matrix(records: CoverageRecord[], overrides: Partial<CoverageRequest> = {}) {
  return computeCoverage({
    controls: [{ id: 'iso9001:7.1.5', title: 'Monitoring and measuring resources' }],
    requirements,
    records,
    from: new Date('2026-01-01T00:00:00Z'),
    to: new Date('2027-01-01T00:00:00Z'),
    granularity: 'quarter',
    asOf: new Date('2027-01-15T00:00:00Z'),
    ...overrides,
  });
}
const states = (m: ReturnType<typeof matrix>) => m.rows[0]!.cells.map((c) => c.state);

describe('the shipped requirement set', () => {
  it('names every catalogued control once, with well-formed matchers', () => {
    expect(requirements.byControl.size).toBe(defaultCatalogs().frameworks().flatMap((f) => f.controls).length);
    expect(requirements.byControl.get('iso9001:7.1.5')!.evidence).toEqual([{ recordType: 'StudyResult', studyKinds: ['CALIBRATION'], maxAgeMs: 92 * DAY }]);
    expect(requirements.byControl.get('iso9001:9.1.3')!.evidence[0]!.maxAgeMs).toBe(8 * DAY);
  });

  it('refuses a malformed file, naming the field', () => {
    expect(() => parseRequirementSet({ id: 'x', version: '1', description: 'd', late_after: '7 days', tagged_max_age: '365d', requirements: [] }, 'x.json')).toThrow(/late_after/);
    try {
      parseRequirementSet({ id: 'x', version: '1', description: 'd', late_after: '7d', tagged_max_age: '365d', requirements: [{ control: 'iso9001:7.1.5', kind: 'automated', evidence: [{ record_type: 'StudyResult', max_age: '90d', verdicts: ['PASS'] }], summary: 's' }] }, 'x.json');
      expect.unreachable();
    } catch (err) {
      expect((err as ComplianceError).code).toBe('REQUIREMENTS_INVALID');
      expect((err as Error).message).toContain('requirements.0.evidence.0');
    }
  });
});

describe('coverage of a control over quarters', () => {
  it('is covered while the newest passing calibration is fresh, stale after, missing before any', () => {
    const m = matrix([calibration(at('2026-05-10T00:00:00Z'), 'PASS')]);
    // Q1: nothing yet; Q2: fresh at the end of June; Q3: 143 days old at the end of September; Q4 likewise.
    expect(states(m)).toEqual(['missing', 'covered', 'stale', 'stale']);
    expect(m.rows[0]!.cells[1]!.records).toBe(1);
    expect(m.rows[0]!.cells[2]!.records).toBe(0);
    expect(m.totals['2026-Q2']!.covered).toBe(1);
  });

  it('a failed study is a nonconformity until the same study passes again', () => {
    const m = matrix([calibration(at('2026-02-01T00:00:00Z'), 'PASS'), calibration(at('2026-03-01T00:00:00Z'), 'FAIL'), calibration(at('2026-08-01T00:00:00Z'), 'PASS')]);
    expect(states(m)).toEqual(['nonconforming', 'nonconforming', 'covered', 'stale']);
    expect(m.rows[0]!.cells[0]!.reason).toContain('latency-calibration last ended FAIL');
    // A passing run of another study does not close this one's finding.
    const other = matrix([calibration(at('2026-03-01T00:00:00Z'), 'FAIL'), calibration(at('2026-03-02T00:00:00Z'), 'PASS', { studyId: 'throughput-calibration' })]);
    expect(states(other)[0]).toBe('nonconforming');
  });

  it('a study without enough data is no evidence either way', () => {
    expect(states(matrix([calibration(at('2026-02-01T00:00:00Z'), 'INSUFFICIENT_DATA')]))).toEqual(['missing', 'missing', 'missing', 'missing']);
  });

  it('an open incident is a finding until a resolved state of it is logged', () => {
    const opened = record({ recordType: 'Incident', occurredAt: at('2026-02-10T00:00:00Z'), incidentId: 'INC-1', incidentStatus: 'OPEN', controls: ['iso9001:7.1.5'] });
    const resolved = record({ recordType: 'Incident', occurredAt: at('2026-02-10T00:00:00Z'), notarizedAt: at('2026-07-20T00:00:00Z'), incidentId: 'INC-1', incidentStatus: 'RESOLVED', controls: ['iso9001:7.1.5'] });
    const m = matrix([calibration(at('2026-01-05T00:00:00Z'), 'PASS'), opened, resolved]);
    expect(states(m).slice(0, 3)).toEqual(['nonconforming', 'nonconforming', 'covered']);
  });

  it('tags an emitter wrote count like default evidence', () => {
    const tagged = record({ recordType: 'EvidenceManifest', stage: 'REGISTRY', occurredAt: at('2026-04-01T00:00:00Z'), controls: ['iso9001:7.1.5'] });
    expect(states(matrix([tagged]))).toEqual(['missing', 'covered', 'covered', 'covered']);
  });

  it('honours the Statement of Applicability', () => {
    const m = matrix([], { applicability: new Map([['iso9001:7.1.5', { applicable: false, justification: 'no monitoring equipment in scope' }]]) });
    expect(states(m)).toEqual(['not_applicable', 'not_applicable', 'not_applicable', 'not_applicable']);
    expect(gapAnalysis(m)).toEqual([]);
  });
});

describe('coverage is bitemporal', () => {
  const q3Record = calibration(at('2026-08-01T00:00:00Z'), 'PASS');
  const backdated = calibration(at('2026-08-02T00:00:00Z'), 'PASS', { notarizedAt: at('2026-11-20T00:00:00Z') });

  it('an answer as of a past date never changes, whatever is logged later', () => {
    const asOf = new Date('2026-10-05T00:00:00Z');
    const before = matrix([q3Record], { asOf });
    const after = matrix([q3Record, backdated, calibration(at('2026-09-30T00:00:00Z'), 'FAIL', { notarizedAt: at('2026-10-06T00:00:00Z') })], { asOf });
    expect(after).toEqual(before);
  });

  it('records back-dated into a closed period show as late and do not fill its gap', () => {
    const m = matrix([backdated]);
    const q3 = m.rows[0]!.cells[2]!;
    expect(q3.state).toBe('missing');
    expect(q3.late).toEqual([backdated.contentHash]);
    expect(q3.reason).toContain('notarized late');
    // Within the grace after the period closed, it still counts.
    const timely = calibration(at('2026-09-29T00:00:00Z'), 'PASS', { notarizedAt: at('2026-10-03T00:00:00Z') });
    expect(matrix([timely]).rows[0]!.cells[2]!.state).toBe('covered');
  });

  it('a period still open is judged at the as-of date', () => {
    const m = matrix([calibration(at('2026-01-02T00:00:00Z'), 'PASS')], { asOf: new Date('2026-02-15T00:00:00Z') });
    expect(m.rows[0]!.cells[0]!.reason).toMatch(/^newest evidence 44 d old/);
  });
});

describe('gap analysis', () => {
  it('lists open and closed gaps with the record that closed one and a POA&M item', () => {
    const closing = calibration(at('2026-08-01T00:00:00Z'), 'PASS');
    const m = matrix([closing], { applicability: new Map([['iso9001:7.1.5', { applicable: true, owner: 'quality@acme' }]]) });
    const gaps = gapAnalysis(m, { remediationDays: 45 });
    expect(gaps).toEqual([
      expect.objectContaining({ control: 'iso9001:7.1.5', state: 'missing', fromPeriod: '2026-Q1', toPeriod: '2026-Q2', status: 'closed', closedBy: { period: '2026-Q3', contentHash: closing.contentHash } }),
      expect.objectContaining({ state: 'stale', fromPeriod: '2026-Q4', toPeriod: '2026-Q4', status: 'open' }),
    ]);
    expect(gaps[0]!.poam).toEqual({
      id: 'POAM-iso9001:7.1.5-2026-Q1',
      weakness: expect.stringContaining('missing since 2026-Q1'),
      owner: 'quality@acme',
      since: '2026-01-01T00:00:00.000Z',
      due: '2026-02-15T00:00:00.000Z',
    });
  });
});

describe('periods', () => {
  it('refuses an empty range', () => {
    expect(() => matrix([], { from: new Date('2026-05-01T00:00:00Z'), to: new Date('2026-05-01T00:00:00Z') })).toThrow(ComplianceError);
  });

  it('cuts months and quarters in UTC', () => {
    const m = matrix([], { from: new Date('2026-11-15T00:00:00Z'), to: new Date('2027-02-01T00:00:00Z'), granularity: 'month' });
    expect(m.periods.map((p) => p.label)).toEqual(['2026-11', '2026-12', '2027-01']);
  });
});
