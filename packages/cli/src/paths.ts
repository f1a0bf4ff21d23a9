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

export interface RuntimePaths {
  dataDir: string;
  logDir: string;
  runDir: string;
  servicesLog: string;
  servicesPid: string;
  /** Where embedded chDB keeps its tables. */
  chdbDir: string;
}

export function runtimePaths(dataDir: string): RuntimePaths {
  const logDir = path.join(dataDir, 'logs');
  const runDir = path.join(dataDir, 'run');
  return {
    dataDir,
    logDir,
    runDir,
    servicesLog: path.join(logDir, 'services.log'),
    servicesPid: path.join(runDir, 'services.pid'),
    chdbDir: path.join(dataDir, 'chdb'),
  };
}

export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.PROBITY_API_PORT || '8787'}`;
}
