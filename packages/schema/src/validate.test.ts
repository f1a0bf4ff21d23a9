import { describe, expect, it } from 'vitest';
import { Type } from './avsc.js';
import { defaultRegistry, validate, validateSemantics } from './default-registry.js';
import { schemaIssues } from './validate-schema.js';
import { NOW, inference, manifest, study } from './test-fixtures.js';

const registry = defaultRegistry();
const paths = (issues: Array<{ path: string }>): string[] => issues.map((issue) => issue.path).sort();

describe('validate: schema issues with paths', () => {
  it('accepts the samples', () => {
    expect(validate('EvidenceManifest', manifest(), { now: NOW })).toEqual([]);
  });

  it('reports every problem at its path, not only the first', () => {
    const value = {
      ...manifest(),
      occurred_at: '2025-01-01',
      approvals: [{ role: 'owner', principal: 'user:jane', at: 'yesterday', decision: 'MAYBE' }],
      labels: { team: 42 },
      inputs: [{ ...manifest().inputs[0], size_bytes: 1.5 }],
    };
    const issues = validate('EvidenceManifest', value, { now: NOW });
    expect(paths(issues)).toEqual(['approvals[0].at', 'approvals[0].decision', 'inputs[0].size_bytes', 'labels.team', 'occurred_at']);
    expect(issues.find((issue) => issue.path === 'approvals[0].at')?.message).toMatch(/timestamp/);
    expect(issues.find((issue) => issue.path === 'approvals[0].decision')?.message).toMatch(/APPROVED/);
  });

  it('reports missing required fields and undeclared (misspelt) fields', () => {
    const { run_id: _r, ...rest } = manifest();
    const issues = validate('EvidenceManifest', { ...rest, principal: { kind: 'USER', id: 'u', dispaly_name: 'x' }, lables: {} }, { now: NOW });
    expect(paths(issues)).toEqual(['lables', 'principal.dispaly_name', 'run_id']);
    expect(issues.find((issue) => issue.path === 'run_id')?.message).toMatch(/required/);
  });

  it('reports undeclared fields named like Object.prototype members, which avsc takes for declared ones', () => {
    const issues = validate('EvidenceManifest', { ...manifest(), constructor: 'x', principal: { ...manifest().principal, toString: 'y' } }, { now: NOW });
    expect(paths(issues)).toEqual(['constructor', 'principal.toString']);
    expect(() => registry.encode('EvidenceManifest', { ...manifest(), constructor: 'x' }, { now: NOW })).toThrow(/constructor: unknown field/);
  });

  it('reports what avsc lets through: enum values named like Object.prototype members, arrays as records, the map key __proto__', () => {
    const issues = validate('EvidenceManifest', { ...manifest(), stage: 'constructor', principal: [], labels: JSON.parse('{"__proto__":"x"}') as unknown }, { now: NOW });
    expect(paths(issues)).toEqual(['labels.__proto__', 'principal', 'stage']);
    const undeclaredProto = Object.assign(JSON.parse('{"__proto__":{"run_id":"from the prototype"}}') as object, manifest()) as Record<string, unknown>;
    delete undeclaredProto.run_id;
    expect(paths(validate('EvidenceManifest', undeclaredProto, { now: NOW }))).toEqual(['__proto__', 'run_id']);
    // avsc takes an empty array for a record whose fields all have defaults.
    const allDefaults = Type.forSchema({ type: 'record', name: 'Opts', fields: [{ name: 'x', type: ['null', 'string'], default: null }] }, { wrapUnions: 'auto', registry: {} });
    expect(allDefaults.isValid([])).toBe(true);
    expect(schemaIssues(allDefaults, [])).toEqual([{ path: '', message: 'expected an object (Opts), got an array' }]);
    const fromJson = registry.fromJson('EvidenceManifest', { ...registry.toJson('EvidenceManifest', manifest()) as object, labels: JSON.parse('{"__proto__":"x","team":"ml"}') as unknown }, { now: NOW });
    expect(fromJson).toEqual({ ok: false, issues: [expect.objectContaining({ path: 'labels.__proto__' })] });
  });

  it('reports values of the wrong kind that avsc takes or trips over, once each, instead of throwing', () => {
    const training = (manifest().details as Record<string, unknown>)['io.probity.evidence.TrainingDetails'];
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['details', { details: Object.assign([], { 'io.probity.evidence.TrainingDetails': training }) }, ['details']],
      ['details', { details: { constructor: {} } }, ['details']],
      ['stage', { stage: ['constructor'] }, ['stage']],
      ['stage', { stage: ['DEPLOYMENT'] }, ['stage']],
      ['stage', { stage: { toString: () => 'hasOwnProperty' } }, ['stage']],
      ['stage', { stage: Object.create(null) as unknown }, ['stage']],
      ['principal', { principal: Buffer.alloc(4096) }, ['principal']],
      ['principal', { principal: [] }, ['principal']],
      ['labels', { labels: new Uint8Array(3) }, ['labels']],
      // A Map's entries are not own properties: it would be written as an empty map.
      ['labels', { labels: new Map([['team', 'ml']]) }, ['labels']],
      ['principal', { principal: new Date() }, ['principal']],
    ];
    for (const [path, change, expected] of cases) {
      const issues = validate('EvidenceManifest', { ...manifest(), ...change }, { now: NOW });
      expect(paths(issues).filter((at) => at === path || at.startsWith(`${path}.`) || at.startsWith(`${path}[`)), path).toEqual(expected);
      expect(() => registry.encode('EvidenceManifest', { ...manifest(), ...change }, { now: NOW })).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
    }
  });

  it('follows union branches and quotes map keys that are not identifiers', () => {
    const value = manifest({
      details: { 'io.probity.evidence.EvaluationDetails': { metrics: { 'f1 score': 'high' }, dataset_split: 'test', passed_thresholds: 'yes' } } as never,
    });
    expect(paths(validate('EvidenceManifest', value, { now: NOW }))).toEqual([
      'details["io.probity.evidence.EvaluationDetails"].metrics["f1 score"]',
      'details["io.probity.evidence.EvaluationDetails"].passed_thresholds',
    ]);
  });

  it('does not echo string contents in messages (evidence may hold personal data)', () => {
    const issues = validate('InferenceRecord', { ...inference(), latency_ms: 'jane.doe@example.com' }, { now: NOW });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).not.toContain('jane');
  });
});

describe('validateSemantics: rules beyond the schema', () => {
  it.each([
    ['tenant', manifest({ tenant: 'Acme Corp' }), ['tenant']],
    ['tenant too long', manifest({ tenant: 'a'.repeat(64) }), ['tenant']],
    ['controls', manifest({ controls: ['iso42001:A.6.2.4', 'ISO 42001', 'euaiact:'] }), ['controls[1]', 'controls[2]']],
    ['sha256', manifest({ outputs: [{ ...manifest().outputs[0]!, sha256: 'A'.repeat(64) }, { ...manifest().outputs[0]!, sha256: 'abc' }] }), ['outputs[0].sha256', 'outputs[1].sha256']],
    ['timestamp in seconds', manifest({ occurred_at: Math.floor(NOW.getTime() / 1000) }), ['occurred_at']],
    ['timestamp in the future', manifest({ occurred_at: (NOW.getTime() + 2 * 86_400_000) * 1000 }), ['occurred_at']],
    ['approval timestamp', manifest({ approvals: [{ role: 'r', principal: 'p', at: 5, decision: null }] }), ['approvals[0].at']],
    ['blank approval principal', manifest({ approvals: [{ role: 'owner', principal: '  ', at: NOW.getTime() * 1000, decision: null }] }), ['approvals[0].principal']],
    ['uuid', manifest({ manifest_id: 'not-a-uuid' }), ['manifest_id']],
    ['uppercase uuid', manifest({ manifest_id: '3B241101-E2BB-4255-8CAF-4136C566A962' }), ['manifest_id']],
    ['commit sha', manifest({ commit_sha: 'main' }), ['commit_sha']],
    ['blank ids', manifest({ run_id: '', principal: { kind: 'USER', id: ' ', display_name: null } }), ['principal.id', 'run_id']],
    ['negative size', manifest({ inputs: [{ ...manifest().inputs[0]!, size_bytes: -1 }] }), ['inputs[0].size_bytes']],
  ])('%s', (_name, value, expected) => {
    expect(paths(validateSemantics('EvidenceManifest', value, { now: NOW }))).toEqual(expected);
    // validate() reports the same problems (the schema itself is satisfied).
    expect(paths(validate('EvidenceManifest', value, { now: NOW }))).toEqual(expected);
  });

  it('accepts a timestamp up to a day ahead (clock skew) and the sample controls', () => {
    const soon = (NOW.getTime() + 86_000_000) * 1000;
    expect(validateSemantics('EvidenceManifest', manifest({ occurred_at: soon, controls: ['iso27001:A.8.16', 'euaiact:Art.12', 'iso42001:A.6.2.4'] }), { now: NOW })).toEqual([]);
  });

  it('checks study spans, windows and p-values', () => {
    const s = study();
    const value = study({
      started_at: s.finished_at + 1,
      current_window: { ...s.current_window, from: s.current_window.to + 1, sample_size: -3 },
      results: [{ ...s.results[0]!, p_value: 1.5 }],
    });
    expect(paths(registry.validateSemantics('StudyResult', value, { now: NOW }))).toEqual([
      'current_window.sample_size',
      'current_window.to',
      'finished_at',
      'results[0].p_value',
    ]);
  });

  it('applies to every record type through the top-level tenant and controls', () => {
    expect(paths(registry.validateSemantics('InferenceRecord', inference({ tenant: '-x', controls: ['nope'] }), { now: NOW }))).toEqual(['controls[0]', 'tenant']);
  });
});
