import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const STATS_LIBRARY = '@probity/stats';

let cached: string | undefined;

/** Version of @probity/stats as installed (its package.json), recorded in every result so a rerun can use the same library. */
export function statsLibraryVersion(): string {
  if (cached) return cached;
  const entry = createRequire(import.meta.url).resolve(STATS_LIBRARY);
  let dir = path.dirname(entry);
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === STATS_LIBRARY && pkg.version) return (cached = pkg.version);
    } catch {
      // not here; look one level up
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the version of ${STATS_LIBRARY}`);
}
