import cronParser from 'cron-parser';
import type { RepeatOptions } from './repeat-options.js';

/**
 * The due time before `dueMillis` in a schedule. BullMQ starts an `every`
 * schedule when it is first upserted and then adds the period, so the due
 * time before the scheduler's `next` is `next − every`; a cron pattern is
 * evaluated in its time zone.
 */
export function dueBefore(repeat: RepeatOptions, dueMillis: number): number | undefined {
  if ('every' in repeat) return dueMillis - repeat.every;
  try {
    return cronParser.parseExpression(repeat.pattern, { currentDate: new Date(dueMillis), tz: repeat.tz }).prev().getTime();
  } catch {
    return undefined;
  }
}

/** Checks a cron pattern the way BullMQ will read it; returns the parser's message when it fails. */
export function cronProblem(pattern: string, tz: string): string | undefined {
  try {
    cronParser.parseExpression(pattern, { tz });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
