/**
 * The OSCAL documents of audit packages against an independent OSCAL
 * implementation: compliance-trestle's pydantic models of the OSCAL schemas
 * (`bash infra/interop/install-oscal.sh` installs it).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_FILES, PackageAccumulator, deriveFiles, type PackageCatalog, type PackagedDocument } from '@probity/audit-package';
import { loadRequirementSet } from '@probity/compliance';
import { defaultCatalogs } from '@probity/catalog';
import { pythonPath, runJson } from '../crypto/tools.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tool = path.join(here, 'validate_oscal.py');

interface Answer {
  results: ({ ok: true } | { ok: false; error: string })[];
  trestle: string;
}

const validate = (documents: { kind: string; document: unknown }[]) => runJson<Answer>(pythonPath, [tool], { documents });

function ensureTrestle(): void {
  try {
    execFileSync(pythonPath, ['-c', 'import trestle.oscal.assessment_results, trestle.oscal.poam'], { stdio: 'ignore' });
  } catch (cause) {
    throw new Error(`compliance-trestle is not installed in ${pythonPath}: run \`bash infra/interop/install-oscal.sh\``, { cause });
  }
}

const request = { tenant: 'acme', framework: 'iso42001', from: '2026-07-01T00:00:00.000Z', to: '2026-10-01T00:00:00.000Z', granularity: 'month' as const, as_of: '2026-10-05T00:00:00.000Z', model_id: null };

/** The OSCAL files a package of these records would hold. */
function oscalOf(docs: PackagedDocument[]) {
  const catalog: PackageCatalog = { name: '@probity/catalog', framework: 'iso42001', controls: defaultCatalogs().framework('iso42001').controls.map((c) => ({ id: c.id, title: c.title })) };
  const accumulator = new PackageAccumulator(request);
  for (const d of docs) accumulator.add(d);
  const requirements = loadRequirementSet();
  const { files } = deriveFiles({
    manifest: { created_at: '2026-10-05T00:00:01.000Z', request, requirements: { id: requirements.id, version: requirements.version, sha256: '0'.repeat(64) }, catalog: { name: catalog.name, framework: 'iso42001', controls: catalog.controls.length, sha256: '0'.repeat(64) }, checkpoints: [], records: docs.length },
    requirements,
    catalog,
    applicability: [{ control: catalog.controls[0]!.id, applicable: false, justification: 'not in scope' }],
    accumulator,
  });
  return {
    results: JSON.parse(files.get(PACKAGE_FILES.oscalResults)!.toString()),
    poam: JSON.parse(files.get(PACKAGE_FILES.oscalPoam)!.toString()),
  };
}

const doc = (hash: string, recordType: string, stage: string, at: string, record: Record<string, unknown> = {}): PackagedDocument => ({
  content_hash: hash.repeat(64).slice(0, 64), record_type: recordType, stage, controls: [], occurred_at: at, notarized_at: at, model_id: 'credit-risk', record,
});

describe('OSCAL documents of audit packages, validated by compliance-trestle', () => {
  beforeAll(() => ensureTrestle());

  it('assessment-results and POA&M (with findings, observations, gaps, an excluded control) are valid OSCAL; broken ones are refused', () => {
    const { results, poam } = oscalOf([
      doc('a', 'EvidenceManifest', 'EVALUATION', '2026-08-02T10:00:00.000000Z'),
      doc('b', 'EvidenceManifest', 'TRAINING', '2026-09-10T10:00:00.000000Z'),
      doc('c', 'StudyResult', 'MONITORING', '2026-09-12T10:00:00.000000Z', { study_id: 's1', kind: 'DRIFT', verdict: 'FAIL', results: [] }),
    ]);
    expect(results['assessment-results'].results[0].findings.length).toBeGreaterThan(0);
    expect(poam['plan-of-action-and-milestones']['poam-items'].length).toBeGreaterThan(1);

    const brokenResults = structuredClone(results);
    delete brokenResults['assessment-results'].results[0].uuid;
    const brokenPoam = structuredClone(poam);
    brokenPoam['plan-of-action-and-milestones']['poam-items'][0].uuid = 'not-a-uuid';
    const badControl = structuredClone(results);
    badControl['assessment-results'].results[0].findings[0].target['target-id'] = 'iso42001:A.6.2.4';

    const answer = validate([
      { kind: 'assessment-results', document: results },
      { kind: 'plan-of-action-and-milestones', document: poam },
      { kind: 'assessment-results', document: brokenResults },
      { kind: 'plan-of-action-and-milestones', document: brokenPoam },
      { kind: 'assessment-results', document: badControl },
    ]);
    expect(answer.trestle).toBe('5.2.0');
    expect(answer.results[0]).toEqual({ ok: true });
    expect(answer.results[1]).toEqual({ ok: true });
    expect(answer.results[2]).toMatchObject({ ok: false, error: expect.stringMatching(/ValidationError/) });
    expect(answer.results[3]).toMatchObject({ ok: false, error: expect.stringMatching(/ValidationError/) });
    expect(answer.results[4]).toMatchObject({ ok: false, error: expect.stringMatching(/ValidationError/) });
  });

  it('a package without records (every control missing) and without observations is valid too', () => {
    const { results, poam } = oscalOf([]);
    const answer = validate([
      { kind: 'assessment-results', document: results },
      { kind: 'plan-of-action-and-milestones', document: poam },
    ]);
    expect(answer.results).toEqual([{ ok: true }, { ok: true }]);
  });
});
