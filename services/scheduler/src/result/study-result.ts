import type { Verdict } from '../study/verdict.js';

/** JSON form of schemas/StudyResult.v1.avsc, as `@probity/schema` `fromJson` reads it. */
export interface StudyWindowJson {
  from: string;
  to: string;
  sample_size: number;
  reference_version: string | null;
}

export interface StudyFindingJson {
  name: string;
  method: string;
  statistic: number;
  p_value: number | null;
  effect_size: number | null;
  threshold: number | null;
  verdict: Verdict;
}

export interface ArtifactJson {
  id: string;
  kind: 'DATASET' | 'MODEL' | 'IMAGE' | 'CODE' | 'REPORT' | 'CONFIG' | 'OTHER';
  sha256: string;
  uri: string;
}

export interface StudyResultJson {
  tenant: string;
  study_id: string;
  study_version: string;
  run_id: string;
  kind: 'DRIFT' | 'CALIBRATION';
  model_id: string;
  occurred_at: string;
  started_at: string;
  finished_at: string;
  methods: string[];
  parameters: Record<string, string>;
  reference_window: StudyWindowJson;
  current_window: StudyWindowJson;
  results: StudyFindingJson[];
  verdict: Verdict;
  library: string;
  library_version: string;
  inputs: ArtifactJson[];
  controls: string[];
  labels: Record<string, string>;
}

/** Keys in code-point order: Avro writes maps in insertion order, and equal results must be equal bytes. */
export function sortedRecord(entries: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(entries).sort()) out[key] = entries[key]!;
  return out;
}

export function isoOf(millis: number): string {
  return new Date(millis).toISOString();
}

/**
 * Puts a result together so that the same inputs always give the same
 * record bytes (and so the same content hash, which the notary dedupes on):
 * the only times in it are the due time and the windows derived from it —
 * `occurred_at`, `started_at` and `finished_at` are all the due time, never
 * the wall clock — and maps are written in sorted key order.
 */
export function finalizeStudyResult(result: StudyResultJson): StudyResultJson {
  return {
    ...result,
    parameters: sortedRecord(result.parameters),
    labels: sortedRecord(result.labels),
    controls: [...new Set(result.controls)].sort(),
    methods: [...result.methods],
  };
}
