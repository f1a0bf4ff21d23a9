import { badParameter } from '../errors.js';

/** A query string as Fastify parses it: repeated keys become arrays. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** Largest page of a JSON answer; exports (NDJSON, CSV) stream and take larger limits. */
export const MAX_JSON_LIMIT = 1000;
export const DEFAULT_JSON_LIMIT = 100;
export const MAX_EXPORT_LIMIT = 100_000_000;

const HEX_64 = /^[0-9a-f]{64}$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
// Printable, no control characters; long enough for any id we mint.
const TEXT = /^[^\u0000-\u001f\u007f]{1,256}$/;

/** Rejects parameters the route does not know, and any given twice. */
export function assertKnownParameters(query: RawQuery, allowed: readonly string[]): void {
  for (const [name, value] of Object.entries(query)) {
    if (!allowed.includes(name)) throw badParameter(name, `unknown query parameter ${JSON.stringify(name)}; allowed: ${allowed.join(', ')}`);
    if (Array.isArray(value)) throw badParameter(name, `query parameter ${name} is given more than once`);
  }
}

export function optionalText(query: RawQuery, name: string): string | undefined {
  const value = query[name] as string | undefined;
  if (value === undefined) return undefined;
  if (!TEXT.test(value)) throw badParameter(name, `${name} must be 1 to 256 printable characters`);
  return value;
}

/** A content hash: 64 lowercase hex characters (uppercase is accepted and lowered). */
export function parseHash(value: string, name: string): string {
  const lowered = value.toLowerCase();
  if (!HEX_64.test(lowered)) throw badParameter(name, `${name} must be a SHA-256 as 64 hex characters`);
  return lowered;
}

/**
 * `YYYY-MM-DD` (UTC midnight) or an RFC 3339 timestamp with a zone. As an
 * upper bound a bare date means "through the end of that day", so
 * `from=2026-07-01&to=2026-09-30` is the whole third quarter.
 */
export function optionalDate(query: RawQuery, name: string, bound: 'lower' | 'upper'): Date | undefined {
  const value = query[name] as string | undefined;
  if (value === undefined) return undefined;
  const dateOnly = DATE_ONLY.exec(value);
  let date: Date;
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    date = new Date(Date.UTC(y, m - 1, d + (bound === 'upper' ? 1 : 0)));
    // Date.UTC rolls 2026-02-30 over to March: reject instead.
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) date = new Date(NaN);
  } else if (DATE_TIME.test(value)) {
    date = new Date(value);
  } else {
    date = new Date(NaN);
  }
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 2299) {
    throw badParameter(name, `${name} must be a date (YYYY-MM-DD) or an RFC 3339 timestamp with a time zone, between 1970 and 2299`);
  }
  return date;
}

export function optionalInt(query: RawQuery, name: string, min: number, max: number): number | undefined {
  const value = query[name] as string | undefined;
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw badParameter(name, `${name} must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}

export function requiredInt(query: RawQuery, name: string, min: number, max: number): number {
  const value = optionalInt(query, name, min, max);
  if (value === undefined) throw badParameter(name, `${name} is required`);
  return value;
}

export function optionalEnum<T extends string>(query: RawQuery, name: string, values: readonly T[], fallback: T): T {
  const value = query[name] as string | undefined;
  if (value === undefined) return fallback;
  if (!(values as readonly string[]).includes(value)) throw badParameter(name, `${name} must be one of ${values.join(', ')}`);
  return value as T;
}

export function assertRange(from: Date | undefined, to: Date | undefined): void {
  if (from && to && from.getTime() >= to.getTime()) throw badParameter('to', 'to must be after from');
}
