import { z } from 'zod';

/** An integer variable with bounds and a default used when unset. */
export function envInt(defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z.coerce.number().int().min(min).max(max).default(defaultValue);
}

/** "true/false/1/0/yes/no" → boolean. */
export function envBoolean(defaultValue: boolean) {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
}

/** A comma-separated list, trimmed, empty entries dropped. */
export function envList(defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0))
    .refine((list) => list.length > 0, { message: 'expected a comma-separated, non-empty list' });
}
