const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Epoch microseconds from an ISO-8601 date-time with an explicit zone
 * (`2025-03-01T12:00:00Z`, `2025-03-01T13:00:00.123456+01:00`). Returns a
 * reason string when the text is not one, or is more precise than a microsecond.
 */
export function parseIsoMicros(text: string): number | string {
  const match = ISO_8601.exec(text);
  if (!match) return 'expected an ISO-8601 date-time with a zone, e.g. 2025-03-01T12:00:00Z';
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match as unknown as string[];
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return 'not a real calendar date and time';
  }
  const digits = fraction.padEnd(9, '0');
  if (digits.slice(6) !== '000') return 'more precise than a microsecond';
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return (ms - offsetMinutes * 60_000) * 1000 + Number(digits.slice(0, 6));
}

/** ISO-8601 in UTC; six fraction digits only when the value has sub-millisecond precision. */
export function formatIsoMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString();
  const subMillis = micros - ms * 1000;
  if (subMillis === 0) return iso;
  return `${iso.slice(0, 23)}${String(subMillis).padStart(3, '0')}Z`;
}
