import { INTERVAL_PATTERNS, durationMs, type StudySchedule } from '@probity/catalog';

export type RepeatOptions = { pattern: string; tz: string } | { every: number };

/**
 * BullMQ repeat options of a study's schedule. `every` ignores the time zone
 * (BullMQ aligns it to multiples of the period since the epoch); a cron
 * pattern or calendar interval runs in `tz`.
 */
export function repeatOptionsOf(schedule: StudySchedule): RepeatOptions {
  if (schedule.every !== undefined) return { every: durationMs(schedule.every) };
  const pattern = schedule.cron ?? INTERVAL_PATTERNS[schedule.interval!];
  return { pattern, tz: schedule.tz };
}
