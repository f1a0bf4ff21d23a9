import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commonEnvShape, envInt, parseEnv } from '@probity/config';
import { z } from 'zod';
import { DEFAULT_QUEUE_NAME } from './queue-catalog.js';

const repoStudies = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../studies');

export const schedulerEnvShape = {
  ...commonEnvShape,
  /** Directory of study definition files. @defaultValue `<repo>/studies` */
  PROBITY_STUDIES_DIR: z.string().default(repoStudies),
  /** @defaultValue `probity-studies` */
  PROBITY_SCHEDULER_QUEUE: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "-" or "_"').default(DEFAULT_QUEUE_NAME),
  /** Runs processed at once. @defaultValue 1 */
  PROBITY_SCHEDULER_CONCURRENCY: envInt(1, 1, 64),
} as const;

export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;

export function loadSchedulerConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(schedulerEnvShape, env);
}
