import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DURATION_PATTERN, durationMs } from '@probity/catalog';
import { z } from 'zod';
import { ComplianceError } from './errors.js';

const duration = z.string().regex(DURATION_PATTERN, 'a duration such as 7d, 13w or 365d');

/** One kind of record that counts as evidence for a control, and how fresh it must be. */
const matcherSchema = z
  .object({
    record_type: z.string().min(1),
    /** EvidenceManifest stages that count (any when absent). */
    stages: z.array(z.string().min(1)).min(1).optional(),
    /** StudyResult kinds that count (any when absent). */
    study_kinds: z.array(z.string().min(1)).min(1).optional(),
    /** The newest such record may be at most this old at the end of a period. */
    max_age: duration,
  })
  .strict();

const requirementSchema = z
  .object({
    control: z.string().regex(/^[a-z0-9]+:\S+$/, 'a control id such as iso42001:A.6.2.6'),
    /** automated: pipeline records satisfy it; manual: documents or records an emitter tags with the control. */
    kind: z.enum(['automated', 'manual']),
    evidence: z.array(matcherSchema),
    /** What an auditor expects to see, in our own words. */
    summary: z.string().min(1),
  })
  .strict();

const requirementSetSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    version: z.string().min(1),
    description: z.string().min(1),
    /** Evidence notarized this long after its period ended is late: shown, never counted for that period. */
    late_after: duration,
    /** Freshness of evidence an emitter tagged with a control by hand (or for a control without requirements). */
    tagged_max_age: duration,
    requirements: z.array(requirementSchema),
  })
  .strict();

export type RequirementSetFile = z.infer<typeof requirementSetSchema>;

export interface EvidenceMatcher {
  recordType: string;
  stages?: readonly string[];
  studyKinds?: readonly string[];
  maxAgeMs: number;
}

export interface EvidenceRequirement {
  control: string;
  kind: 'automated' | 'manual';
  evidence: readonly EvidenceMatcher[];
  summary: string;
}

/** Versioned data: which records satisfy which control and how fresh they must be. Recomputable by an auditor from the file. */
export interface RequirementSet {
  id: string;
  version: string;
  description: string;
  lateAfterMs: number;
  taggedMaxAgeMs: number;
  byControl: ReadonlyMap<string, EvidenceRequirement>;
}

/** Parses a requirements file's JSON; a bad file is refused whole with every problem named. */
export function parseRequirementSet(json: unknown, source: string): RequirementSet {
  const parsed = requirementSetSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ComplianceError('REQUIREMENTS_INVALID', `requirements file ${source} is invalid: ${problems}`);
  }
  const file = parsed.data;
  const byControl = new Map<string, EvidenceRequirement>();
  for (const r of file.requirements) {
    if (byControl.has(r.control)) throw new ComplianceError('REQUIREMENTS_INVALID', `requirements file ${source} lists control ${r.control} twice`);
    byControl.set(r.control, {
      control: r.control,
      kind: r.kind,
      summary: r.summary,
      evidence: r.evidence.map((m) => ({
        recordType: m.record_type,
        ...(m.stages ? { stages: m.stages } : {}),
        ...(m.study_kinds ? { studyKinds: m.study_kinds } : {}),
        maxAgeMs: durationMs(m.max_age),
      })),
    });
  }
  return { id: file.id, version: file.version, description: file.description, lateAfterMs: durationMs(file.late_after), taggedMaxAgeMs: durationMs(file.tagged_max_age), byControl };
}

const DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data/requirements');

/** The requirement set shipped with Probity (`data/requirements/<id>.json`). */
export function loadRequirementSet(id = 'probity-default'): RequirementSet {
  const file = path.join(DATA_DIR, `${id}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ComplianceError('REQUIREMENTS_INVALID', `no requirement set ${id} (looked for ${file})`);
  }
  return parseRequirementSet(JSON.parse(text), file);
}
