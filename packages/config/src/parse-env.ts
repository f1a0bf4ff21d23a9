import { z } from 'zod';
import { ProbityError } from '@probity/errors';

export type ConfigErrorCode = 'CONFIG_INVALID';

export class ConfigError extends ProbityError<ConfigErrorCode> {}

/**
 * Parse environment variables once, at process start, against a zod object
 * whose keys are the variable names. Every problem is reported at once, each
 * line naming the variable, what was wrong and what value was seen, so an
 * operator can fix them all in one go.
 */
export function parseEnv<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  const schema = z.object(shape);
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    picked[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(picked);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(unknown)');
    const seen = picked[variable];
    return `  ${variable}: ${issue.message}${seen === undefined ? ' (not set)' : ` (got ${JSON.stringify(seen)})`}`;
  });
  throw new ConfigError(
    'CONFIG_INVALID',
    `Invalid configuration; fix these environment variables:\n${lines.join('\n')}`,
    { details: { variables: result.error.issues.map((i) => String(i.path[0])) } },
  );
}
