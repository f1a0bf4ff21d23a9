import { describe, expect, it } from 'vitest';
import { loadRequirementSet, parseRequirementSet } from '@probity/compliance';
import { PackageAccumulator } from './accumulator.js';
import { requirementSetFile } from './build.js';
import { deriveFiles } from './derive.js';
import { PACKAGE_FILES } from './format.js';
import { oscalControlId } from './oscal.js';
import { stableUuid } from './uuid.js';

const request = { tenant: 'acme', framework: 'iso42001', from: '2026-07-01T00:00:00.000Z', to: '2026-10-01T00:00:00.000Z', granularity: 'quarter' as const, as_of: '2026-10-02T00:00:00.000Z', model_id: null };

function derive(title: string) {
  const requirements = loadRequirementSet();
  const accumulator = new PackageAccumulator(request);
  accumulator.add({ content_hash: 'a'.repeat(64), record_type: 'EvidenceManifest', stage: 'EVALUATION', controls: [], occurred_at: '2026-08-01T00:00:00.000000Z', notarized_at: '2026-08-01T00:00:01.000000Z', model_id: 'm', record: {} });
  return deriveFiles({
    manifest: { created_at: '2026-10-02T00:00:00.000Z', request, requirements: { id: requirements.id, version: requirements.version, sha256: '' }, catalog: { name: 'c', framework: 'iso42001', controls: 2, sha256: '' }, checkpoints: [], records: 1 },
    requirements,
    catalog: { name: 'c', framework: 'iso42001', controls: [{ id: 'iso42001:A.6.2.4', title }, { id: 'iso42001:A.9.2' }] },
    applicability: [],
    accumulator,
  });
}

describe('derived files', () => {
  it('the requirement set written into a package parses back to the same set', () => {
    const set = loadRequirementSet();
    expect(parseRequirementSet(JSON.parse(JSON.stringify(requirementSetFile(set))), 'package')).toEqual(set);
  });

  it('are the same bytes every time from the same inputs', () => {
    const a = derive('Verification');
    const b = derive('Verification');
    for (const [name, bytes] of a.files) expect(bytes.equals(b.files.get(name)!), name).toBe(true);
  });

  it('the report is self-contained and escapes what records and catalogs say', () => {
    const html = derive('<img src=x onerror=alert(1)>').files.get(PACKAGE_FILES.report)!.toString();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/);
  });

  it('OSCAL ids are tokens and UUIDs name-based version 5', () => {
    expect(oscalControlId('iso42001:A.6.2.4')).toBe('iso42001_A.6.2.4');
    expect(oscalControlId('9001:7.1.5')).toBe('_9001_7.1.5');
    expect(stableUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('x')).toBe(stableUuid('x'));
    expect(stableUuid('x')).not.toBe(stableUuid('y'));
  });
});
