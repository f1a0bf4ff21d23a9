import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crosswalkFileSchema, frameworkFileSchema, RELATIONS } from './catalog-files.js';
import { Catalogs, type CatalogSource } from './catalogs.js';
import { coverageReport, viewThrough } from './coverage.js';
import { CatalogError } from './errors.js';
import { controlsEvidencedBy } from './evidence-controls.js';
import { defaultCatalogs, readCatalogSources } from './load-catalogs.js';

// The control pattern of schemas/ (@probity/schema's CONTROL_PATTERN): every catalogued id must be one a record can carry.
const CONTROL_PATTERN = /^[a-z0-9]+:[A-Za-z0-9._-]+$/;
const catalogs = defaultCatalogs();
const sources = readCatalogSources();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CatalogError) return err.code;
    throw err;
  }
  return undefined;
}

const refsOf = (framework: string, kind?: string) => catalogs.framework(framework).controls.filter((c) => kind === undefined || c.kind === kind).map((c) => c.ref);
const countByGroup = (framework: string, kind: string) => {
  const counts: Record<string, number> = {};
  for (const c of catalogs.framework(framework).controls) if (c.kind === kind) counts[c.group] = (counts[c.group] ?? 0) + 1;
  return counts;
};

describe('framework and crosswalk data files', () => {
  it('every file passes its zod schema on its own', () => {
    expect(sources.frameworks.map((s) => s.origin)).toEqual(['frameworks/euaiact.json', 'frameworks/iso27001.json', 'frameworks/iso42001.json', 'frameworks/iso9001.json', 'frameworks/nistairmf.json']);
    expect(sources.crosswalks.length).toBeGreaterThanOrEqual(3);
    for (const s of sources.frameworks) expect(frameworkFileSchema.safeParse(s.json).success, s.origin).toBe(true);
    for (const s of sources.crosswalks) expect(crosswalkFileSchema.safeParse(s.json).success, s.origin).toBe(true);
  });

  it('ids are unique and well formed; each framework has an edition and a data version', () => {
    const all = catalogs.frameworks().flatMap((f) => f.controls);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    for (const c of all) expect(c.id).toMatch(CONTROL_PATTERN);
    expect(Object.fromEntries(catalogs.frameworks().map((f) => [f.framework, f.edition]))).toEqual({
      euaiact: '2024/1689',
      iso27001: '2022',
      iso42001: '2023',
      iso9001: '2015',
      nistairmf: '1.0',
    });
    for (const f of catalogs.frameworks()) expect(f.version).toBeGreaterThanOrEqual(1);
  });

  it('ISO/IEC 27001:2022 Annex A has exactly 93 controls in 4 themes, and clauses 4-10', () => {
    expect(refsOf('iso27001', 'annex-control')).toHaveLength(93);
    expect(countByGroup('iso27001', 'annex-control')).toEqual({ 'A.5': 37, 'A.6': 8, 'A.7': 14, 'A.8': 34 });
    expect(Object.keys(countByGroup('iso27001', 'clause'))).toEqual(['4', '5', '6', '7', '8', '9', '10']);
    expect(refsOf('iso27001')).toEqual(expect.arrayContaining(['6.1.2', '6.1.3', '8.2', '9.2', '10.2', 'A.5.1', 'A.8.34']));
  });

  it('ISO/IEC 42001:2023 has clauses 4-10 and 38 Annex A controls in 9 groups', () => {
    expect(refsOf('iso42001', 'annex-control')).toHaveLength(38);
    expect(Object.keys(countByGroup('iso42001', 'annex-control'))).toEqual(['A.2', 'A.3', 'A.4', 'A.5', 'A.6', 'A.7', 'A.8', 'A.9', 'A.10']);
    expect(Object.keys(countByGroup('iso42001', 'clause'))).toEqual(['4', '5', '6', '7', '8', '9', '10']);
    expect(refsOf('iso42001')).toEqual(expect.arrayContaining(['6.1', '6.1.2', '6.1.4', '8.4', '10.2']));
  });

  it('ISO 9001 has clauses 4-10 with the ones Probity evidences', () => {
    expect(Object.keys(countByGroup('iso9001', 'clause'))).toEqual(['4', '5', '6', '7', '8', '9', '10']);
    expect(refsOf('iso9001')).toEqual(expect.arrayContaining(['4.4', '6.1', '7.1.5', '7.1.5.2', '7.2', '7.5', '8.5.1', '9.1.3', '9.2', '9.3', '10.2']));
    expect(catalogs.control('iso9001:7.1.5.2').parent).toBe('7.1.5');
  });

  it('the EU AI Act lists the high-risk articles', () => {
    expect(refsOf('euaiact', 'article')).toEqual(expect.arrayContaining(['Art.9', 'Art.10', 'Art.11', 'Art.12', 'Art.13', 'Art.14', 'Art.15', 'Art.17', 'Art.19', 'Art.26', 'Art.72', 'Art.73']));
  });

  it('NIST AI RMF 1.0 has its 72 subcategories under GOVERN, MAP, MEASURE and MANAGE', () => {
    expect(countByGroup('nistairmf', 'subcategory')).toEqual({ GOVERN: 19, MAP: 18, MEASURE: 22, MANAGE: 13 });
    expect(catalogs.control('nistairmf:MEASURE-2.13')).toMatchObject({ group: 'MEASURE', parent: 'MEASURE-2' });
  });

  it('crosswalk ids resolve on both sides, relations come from the allowed set, editions match the framework files', () => {
    for (const walk of catalogs.crosswalks()) {
      expect(walk.from.edition).toBe(catalogs.framework(walk.from.framework).edition);
      expect(walk.to.edition).toBe(catalogs.framework(walk.to.framework).edition);
      for (const m of walk.mappings) {
        expect(catalogs.findControl(m.from)?.framework, m.from).toBe(walk.from.framework);
        expect(catalogs.findControl(m.to)?.framework, m.to).toBe(walk.to.framework);
        expect(RELATIONS).toContain(m.relation);
      }
    }
    expect(catalogs.crosswalk('euaiact', 'iso42001').mappings).toContainEqual({ from: 'euaiact:Art.9', to: 'iso42001:6.1', relation: 'intersects' });
    expect(catalogs.crosswalk('nistairmf', 'iso42001').source.url).toMatch(/^https:\/\/airc\.nist\.gov/);
  });

  it('keeps every control id the code, the examples and the studies already use', () => {
    const used = new Set<string>();
    for (const recordType of ['InferenceRecord', 'Incident', 'OversightEvent']) controlsEvidencedBy({ recordType }).forEach((id) => used.add(id));
    for (const stage of ['INGEST', 'PREPROCESS', 'FEATURES', 'TRAINING', 'EVALUATION', 'REGISTRY', 'PROMOTION', 'DEPLOYMENT', 'INFERENCE', 'MONITORING']) {
      controlsEvidencedBy({ recordType: 'EvidenceManifest', stage }).forEach((id) => used.add(id));
    }
    for (const studyKind of ['DRIFT', 'CALIBRATION']) controlsEvidencedBy({ recordType: 'StudyResult', studyKind }).forEach((id) => used.add(id));
    const texts = [
      ...readdirSync(new URL('../../../schemas/examples/', import.meta.url)).map((f) => readFileSync(new URL(`../../../schemas/examples/${f}`, import.meta.url), 'utf8')),
      ...readdirSync(new URL('../../../studies/', import.meta.url)).map((f) => readFileSync(new URL(`../../../studies/${f}`, import.meta.url), 'utf8')),
    ];
    for (const text of texts) for (const match of text.matchAll(/"((?:iso42001|iso27001|iso9001|euaiact|nistairmf):[A-Za-z0-9._-]+)"/g)) used.add(match[1]!);
    expect(used.size).toBeGreaterThan(40);
    for (const id of used) expect(catalogs.findControl(id), id).toBeDefined();
  });
});

describe('lookups and their errors', () => {
  it('names what to fix: an unknown framework, control or crosswalk', () => {
    expect(codeOf(() => catalogs.framework('iso99999'))).toBe('UNKNOWN_FRAMEWORK');
    expect(() => catalogs.framework('iso99999')).toThrow(/known: euaiact, iso27001, iso42001, iso9001, nistairmf/);
    expect(codeOf(() => catalogs.control('iso42001:A.99'))).toBe('UNKNOWN_CONTROL');
    expect(codeOf(() => catalogs.control('A.6.2.4'))).toBe('UNKNOWN_CONTROL');
    expect(codeOf(() => catalogs.control('nope:A.1'))).toBe('UNKNOWN_FRAMEWORK');
    expect(codeOf(() => catalogs.crosswalk('iso9001', 'nistairmf'))).toBe('UNKNOWN_CROSSWALK');
    expect(() => catalogs.crosswalk('iso9001', 'nistairmf')).toThrow(/available: .*euaiact↔iso42001/);
  });

  it('turns a crosswalk around on request: from and to swap, subset and superset swap', () => {
    const forward = catalogs.crosswalk('euaiact', 'iso42001');
    const back = catalogs.crosswalk('iso42001', 'euaiact');
    expect(forward.reversed).toBe(false);
    expect(back).toMatchObject({ reversed: true, from: forward.to, to: forward.from, id: forward.id });
    const superset = forward.mappings.find((m) => m.relation === 'superset')!;
    expect(back.mappings).toContainEqual({ ...superset, from: superset.to, to: superset.from, relation: 'subset' });
    expect(back.mappings).toHaveLength(forward.mappings.length);
  });

  it('follows a framework\'s aliases (an id evidence carried before a renumbering)', () => {
    const json = structuredClone(sources.frameworks.find((s) => s.origin === 'frameworks/euaiact.json')!.json) as Record<string, unknown>;
    const aliased = Catalogs.fromSources([{ origin: 'euaiact.json', json: { ...json, aliases: { 'Art.9-old': 'Art.9' } } }], []);
    expect(aliased.findControl('euaiact:Art.9-old')?.id).toBe('euaiact:Art.9');
    expect(coverageReport(aliased, ['euaiact:Art.9-old']).frameworks[0]!.covered.map((c) => c.id)).toEqual(['euaiact:Art.9']);
  });
});

describe('bad data files are refused with CATALOG_FILE_INVALID', () => {
  const framework = (origin: string) => structuredClone(sources.frameworks.find((s) => s.origin === origin)!.json) as Record<string, unknown>;
  const walk = (origin: string) => structuredClone(sources.crosswalks.find((s) => s.origin === origin)!.json) as Record<string, unknown>;
  const withFramework = (origin: string, change: (json: Record<string, unknown>) => unknown): [CatalogSource[], CatalogSource[]] => [
    sources.frameworks.map((s) => (s.origin === origin ? { origin, json: change(framework(origin)) } : s)),
    sources.crosswalks,
  ];
  const withCrosswalk = (origin: string, change: (json: Record<string, unknown>) => unknown): [CatalogSource[], CatalogSource[]] => [
    sources.frameworks,
    sources.crosswalks.map((s) => (s.origin === origin ? { origin, json: change(walk(origin)) } : s)),
  ];
  const controls = (json: Record<string, unknown>) => json['controls'] as Array<Record<string, unknown>>;
  const mappings = (json: Record<string, unknown>) => json['mappings'] as Array<Record<string, unknown>>;

  it.each([
    ['a control listed twice', withFramework('frameworks/iso27001.json', (j) => ({ ...j, controls: [...controls(j), controls(j)[0]] })), /listed twice/],
    ['a control in an unknown group', withFramework('frameworks/iso27001.json', (j) => ({ ...j, controls: [...controls(j), { ref: 'A.9.1', title: 'x', kind: 'annex-control', group: 'A.9' }] })), /group A.9/],
    ['an unknown kind', withFramework('frameworks/euaiact.json', (j) => ({ ...j, controls: controls(j).map((c, i) => (i === 0 ? { ...c, kind: 'recital' } : c)) })), /controls\.0\.kind/],
    ['a field the format does not have', withFramework('frameworks/euaiact.json', (j) => ({ ...j, text: 'copied text' })), /text/],
    ['a missing edition', withFramework('frameworks/iso9001.json', ({ edition: _e, ...rest }) => rest), /edition/],
    ['a crosswalk ref that does not resolve', withCrosswalk('crosswalks/euaiact-iso42001.json', (j) => ({ ...j, mappings: [...mappings(j), { from: 'Art.9', to: 'A.99.1', relation: 'equal' }] })), /iso42001 has no control A\.99\.1/],
    ['a relation outside the allowed set', withCrosswalk('crosswalks/euaiact-iso42001.json', (j) => ({ ...j, mappings: [{ from: 'Art.9', to: '6.1', relation: 'related' }] })), /mappings\.0\.relation/],
    ['a crosswalk naming another edition', withCrosswalk('crosswalks/nistairmf-iso42001.json', (j) => ({ ...j, to: { framework: 'iso42001', edition: '2030' } })), /edition 2030/],
    ['a crosswalk to an unknown framework', withCrosswalk('crosswalks/nistairmf-iso42001.json', (j) => ({ ...j, to: { framework: 'iso99999', edition: '1' } })), /iso99999/],
  ])('%s', (_name, [frameworks, crosswalks], message) => {
    expect(codeOf(() => Catalogs.fromSources(frameworks, crosswalks))).toBe('CATALOG_FILE_INVALID');
    expect(() => Catalogs.fromSources(frameworks, crosswalks)).toThrow(message);
  });
});

describe('coverage', () => {
  it('reports coverage, gaps and unknown ids', () => {
    const report = coverageReport(catalogs, ['iso9001:9.1.3', 'iso9001:7.1.5', 'iso9001:nope'], ['iso9001']);
    const iso9001 = report.frameworks[0]!;
    expect(iso9001.covered.map((c) => c.ref)).toEqual(['7.1.5', '9.1.3']);
    expect(iso9001.gaps.length).toBe(iso9001.total - 2);
    expect(iso9001.ratio).toBeCloseTo(2 / iso9001.total);
    expect(report.unknown).toEqual(['iso9001:nope']);
  });

  it('views one framework through another: which ISO/IEC 42001 controls have support from evidence filed under EU AI Act articles', () => {
    const view = viewThrough(catalogs, catalogs.crosswalk('euaiact', 'iso42001'), ['euaiact:Art.12', 'euaiact:Art.73']);
    const supported = view.filter((v) => v.supported).map((v) => v.control.id).sort();
    expect(supported).toEqual(['iso42001:10.2', 'iso42001:A.6.2.8', 'iso42001:A.8.4']);
    expect(view.find((v) => v.control.id === 'iso42001:A.6.2.8')!.via).toEqual([
      { control: 'euaiact:Art.12', relation: 'intersects', evidenced: true },
      { control: 'euaiact:Art.19', relation: 'intersects', evidenced: false },
    ]);
    expect(view).toHaveLength(catalogs.framework('iso42001').controls.length);
  });

  it('maps every record type and stage only to catalogued controls', () => {
    expect(controlsEvidencedBy({ recordType: 'StudyResult', studyKind: 'drift' })).toContain('iso9001:9.1.3');
    expect(controlsEvidencedBy({ recordType: 'StudyResult', studyKind: 'CALIBRATION' })).toContain('iso9001:7.1.5');
    expect(controlsEvidencedBy({ recordType: 'EvidenceManifest', stage: 'monitoring' })).toContain('iso42001:A.6.2.6');
    expect(controlsEvidencedBy({ recordType: 'EvidenceManifest', stage: 'UNKNOWN' })).toEqual([]);
    expect(controlsEvidencedBy({ recordType: 'Unheard' })).toEqual([]);
  });
});
