import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository checkout this CLI runs from (infra/ scripts live there). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function infraScript(name: string): string {
  return path.join(repoRoot, 'infra', name);
}

/** The one process that runs notary + sink + audit API + gateway + scheduler locally (chDB: one data dir per process). */
export const servicesEntry = path.join(repoRoot, 'services/local/src/main.ts');

export function servicesExpected(): boolean {
  return existsSync(servicesEntry);
}

/** The data dir layout (from @probity/config), under the name the CLI's modules use. */
export { dataDirLayout as runtimePaths } from '@probity/config';
export type { DataDirLayout as RuntimePaths } from '@probity/config';

export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.PROBITY_API_PORT || '8787'}`;
}
