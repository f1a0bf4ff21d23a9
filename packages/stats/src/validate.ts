import { StatsError } from './errors.js';
import { sortedCopyFloat64 } from './sort.js';

/** What every public function accepts as a sample. */
export type NumericArray = Float64Array | readonly number[];

/** Throws INVALID_INPUT naming `name` unless `values` is non-empty and all finite. */
export function assertFiniteSample(values: NumericArray, name: string): void {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new StatsError('INVALID_INPUT', `${name} must be a Float64Array or an array of numbers`);
  }
  if (values.length === 0) throw new StatsError('INVALID_INPUT', `${name} must not be empty`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new StatsError('INVALID_INPUT', `${name}[${i}] is ${String(v)}; every value must be a finite number`, {
        details: { argument: name, index: i },
      });
    }
  }
}

/** Validated, sorted copy as a Float64Array (numeric sort; the input is never mutated). */
export function sortedCopy(values: NumericArray, name: string): Float64Array {
  assertFiniteSample(values, name);
  return sortedCopyFloat64(values);
}

export function assertOption(ok: boolean, message: string): void {
  if (!ok) throw new StatsError('INVALID_OPTION', message);
}
