import { computeCoverage, gapAnalysis, type Applicability, type CoverageMatrix, type Gap, type RequirementSet } from '@probity/compliance';
import type { PackageAccumulator } from './accumulator.js';
import { PACKAGE_FILES, type DerivedManifest, type PackageCatalog, type SoaEntry } from './format.js';
import { assessmentResults, planOfActionAndMilestones } from './oscal.js';
import { renderReport } from './report.js';

export interface DeriveInputs {
  manifest: DerivedManifest;
  requirements: RequirementSet;
  catalog: PackageCatalog;
  applicability: SoaEntry[];
  accumulator: PackageAccumulator;
}

export interface DerivedFiles {
  files: Map<string, Buffer>;
  matrix: CoverageMatrix;
  gaps: Gap[];
}

/** Stable JSON text of a derived file. */
export function jsonFile(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Every derived file of a package, a pure function of the manifest's
 * request, the data files and the records: the builder writes them and the
 * verifier computes them again from the package alone and compares bytes.
 */
export function deriveFiles(inputs: DeriveInputs): DerivedFiles {
  const { request } = inputs.manifest;
  const applicability = new Map<string, Applicability>(
    inputs.applicability.map((e) => [e.control, { applicable: e.applicable, ...(e.justification ? { justification: e.justification } : {}), ...(e.owner ? { owner: e.owner } : {}) }]),
  );
  const matrix = computeCoverage({
    controls: inputs.catalog.controls,
    requirements: inputs.requirements,
    records: inputs.accumulator.coverage,
    from: new Date(request.from),
    to: new Date(request.to),
    granularity: request.granularity,
    asOf: new Date(request.as_of),
    applicability,
  });
  const gaps = gapAnalysis(matrix);
  const soa = {
    framework: request.framework,
    source: inputs.manifest.soa?.source ?? (inputs.applicability.length === 0 ? 'derived-all-applicable' : 'applicability-map'),
    note: 'Every control is applicable unless data/applicability.json (given with the request, or the SoA records the log held at as-of) says otherwise.',
    controls: matrix.rows.map((r) => ({ control: r.control, ...(r.title ? { title: r.title } : {}), kind: r.kind, ...r.applicability })),
  };
  const kpis = inputs.accumulator.kpis();
  const incidents = inputs.accumulator.incidentTimeline();
  const oversight = inputs.accumulator.oversightLog();
  const files = new Map<string, Buffer>();
  files.set(PACKAGE_FILES.soa, jsonFile(soa));
  files.set(PACKAGE_FILES.coverage, jsonFile(matrix));
  files.set(PACKAGE_FILES.gaps, jsonFile({ open: gaps.filter((g) => g.status === 'open').length, gaps }));
  files.set(PACKAGE_FILES.kpis, jsonFile(kpis));
  files.set(PACKAGE_FILES.incidents, jsonFile(incidents));
  files.set(PACKAGE_FILES.oversight, jsonFile(oversight));
  files.set(PACKAGE_FILES.oscalResults, jsonFile(assessmentResults(inputs.manifest, matrix)));
  files.set(PACKAGE_FILES.oscalPoam, jsonFile(planOfActionAndMilestones(inputs.manifest, matrix, gaps)));
  files.set(PACKAGE_FILES.report, Buffer.from(renderReport({ manifest: inputs.manifest, matrix, gaps, kpis, incidents, oversight })));
  return { files, matrix, gaps };
}
