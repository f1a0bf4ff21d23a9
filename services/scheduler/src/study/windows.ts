import { durationMs, type CalibrationStudyDefinition, type DriftStudyDefinition } from '@probity/catalog';

const DAY_MS = 86_400_000;

/** A half-open time range [from, to) in epoch milliseconds. */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * The current window of a drift study run: it ends at the due time and
 * spans the configured window, widened to `minimum_sample.days` when that
 * is longer — so "10,000 predictions or 7 days" can be met by the data read.
 * Derived only from the due time: a rerun reads the same rows.
 */
export function driftCurrentWindow(study: DriftStudyDefinition, dueMillis: number): TimeWindow {
  const span = Math.max(durationMs(study.window), study.minimum_sample.days * DAY_MS);
  return { from: dueMillis - span, to: dueMillis };
}

export function driftReferenceWindow(study: DriftStudyDefinition): TimeWindow {
  return { from: Date.parse(study.reference.from), to: Date.parse(study.reference.to) };
}

/** A calibration run reads the window that ends at its due time. */
export function calibrationWindow(study: CalibrationStudyDefinition, dueMillis: number): TimeWindow {
  return { from: dueMillis - durationMs(study.window), to: dueMillis };
}
