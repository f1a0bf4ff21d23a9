import { describe, expect, it } from 'vitest';
import { ALL_CONTROLS, CONTROL_CATALOGS, findControl } from './controls/catalog.js';
import { coverageReport } from './coverage.js';
import { controlsEvidencedBy } from './evidence-controls.js';

const CONTROL_PATTERN = /^[a-z0-9]+:[A-Za-z0-9._-]+$/;

describe('control catalogs', () => {
  it('lists each framework with unique, well-formed ids', () => {
    expect(CONTROL_CATALOGS.iso27001).toHaveLength(93);
    expect(CONTROL_CATALOGS.iso42001).toHaveLength(38);
    expect(new Set(ALL_CONTROLS.map((c) => c.id)).size).toBe(ALL_CONTROLS.length);
    for (const c of ALL_CONTROLS) expect(c.id).toMatch(CONTROL_PATTERN);
    expect(findControl('iso9001:9.1.3')?.title).toBe('Analysis and evaluation');
    expect(findControl('iso9001:7.1.5')?.title).toBe('Monitoring and measuring resources');
    expect(findControl('euaiact:Art.12')?.title).toBe('Record-keeping');
  });

  it('maps every record type and stage only to catalogued controls', () => {
    const stages = ['INGEST', 'PREPROCESS', 'FEATURES', 'TRAINING', 'EVALUATION', 'REGISTRY', 'PROMOTION', 'DEPLOYMENT', 'INFERENCE', 'MONITORING'];
    const kinds = [
      ...stages.map((stage) => ({ recordType: 'EvidenceManifest', stage })),
      { recordType: 'InferenceRecord' },
      { recordType: 'Incident' },
      { recordType: 'OversightEvent' },
      { recordType: 'StudyResult', studyKind: 'DRIFT' },
      { recordType: 'StudyResult', studyKind: 'CALIBRATION' },
    ];
    for (const kind of kinds) {
      const ids = controlsEvidencedBy(kind);
      expect(ids.length, JSON.stringify(kind)).toBeGreaterThan(0);
      for (const id of ids) expect(findControl(id), id).toBeDefined();
    }
    expect(controlsEvidencedBy({ recordType: 'StudyResult', studyKind: 'drift' })).toContain('iso9001:9.1.3');
    expect(controlsEvidencedBy({ recordType: 'StudyResult', studyKind: 'CALIBRATION' })).toContain('iso9001:7.1.5');
    expect(controlsEvidencedBy({ recordType: 'EvidenceManifest', stage: 'monitoring' })).toContain('iso42001:A.6.2.6');
    expect(controlsEvidencedBy({ recordType: 'Unheard' })).toEqual([]);
  });

  it('reports coverage, gaps and unknown ids', () => {
    const report = coverageReport(['iso9001:9.1.3', 'iso9001:7.1.5', 'iso9001:nope'], ['iso9001']);
    const iso9001 = report.frameworks[0]!;
    expect(iso9001.covered.map((c) => c.ref)).toEqual(['7.1.5', '9.1.3']);
    expect(iso9001.gaps.length).toBe(iso9001.total - 2);
    expect(iso9001.ratio).toBeCloseTo(2 / iso9001.total);
    expect(report.unknown).toEqual(['iso9001:nope']);
  });
});
