/** A duration as written in study definitions: an integer and a unit, e.g. `500ms`, `2s`, `15m`, `1h`, `7d`, `2w`. */
export const DURATION_PATTERN = /^([1-9][0-9]*)(ms|s|m|h|d|w)$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a duration string, or `undefined` when it does not match {@link DURATION_PATTERN}. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Like {@link parseDuration} for strings already validated by the definition schema. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new TypeError(`not a duration: ${JSON.stringify(text)}`);
  return ms;
}
