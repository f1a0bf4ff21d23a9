// Test-only: loads the committed SciPy reference values (no Python needed).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

const path = new URL('../../reference/scipy-reference.json', import.meta.url);

/** Parsed scipy-reference.json; "NaN"/"Infinity" strings become numbers. */
export const reference = JSON.parse(readFileSync(path, 'utf8'), (_key, value: unknown) => {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value;
}) as Record<string, any>;

const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * |actual − expected| <= 1e-9·|expected|; an absolute 1e-300 floor only where
 * the reference is exactly 0 or denormal.
 */
export function expectClose(actual: number, expected: number, label: string, rtol = 1e-9): void {
  if (Number.isNaN(expected)) {
    expect(actual, label).toBeNaN();
    return;
  }
  if (!Number.isFinite(expected)) {
    expect(actual, label).toBe(expected);
    return;
  }
  const tolerance = Math.abs(expected) < MIN_NORMAL ? 1e-300 : rtol * Math.abs(expected);
  const error = Math.abs(actual - expected);
  if (!(error <= tolerance)) {
    throw new Error(`${label}: got ${actual}, SciPy ${expected} (rel err ${error / Math.abs(expected)})`);
  }
}
