import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { CliError } from './command.js';
import { apiBaseUrl, repoRoot, runtimePaths, servicesEntry } from './paths.js';
import { logTail, pidFileAlive, processAlive, removeFile, terminate } from './process-control.js';
import { waitUntil } from './wait-until.js';

export interface ServicesOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** @defaultValue 120000 (first start runs migrations on 2 cores) */
  readyTimeoutMs?: number;
  /** The script to run. @defaultValue services/local/src/main.ts */
  entry?: string;
}

/** GET /healthz; the parsed JSON body when it answers 200, else undefined. */
export async function fetchHealthz(env: NodeJS.ProcessEnv, timeoutMs = 2000): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const res = await fetch(`${apiBaseUrl(env)}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // a plain-text health answer is fine too
    }
    return { status: res.status, body };
  } catch {
    return undefined;
  }
}

export async function servicesPid(dataDir: string): Promise<number | undefined> {
  return pidFileAlive(runtimePaths(dataDir).servicesPid);
}

/**
 * Starts services/local in the background (it outlives the CLI), logs to
 * <data>/logs/services.log, and waits for /healthz to answer 200.
 * Returns the pid; `alreadyRunning` when a live pid file was found.
 */
export async function startServices(options: ServicesOptions): Promise<{ pid: number; alreadyRunning: boolean }> {
  const paths = runtimePaths(options.dataDir);
  const running = await pidFileAlive(paths.servicesPid);
  if (running !== undefined) return { pid: running, alreadyRunning: true };
  mkdirSync(paths.logDir, { recursive: true });
  mkdirSync(paths.runDir, { recursive: true });
  const logFd = openSync(paths.servicesLog, 'a');
  const entry = options.entry ?? servicesEntry;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env: options.env,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new CliError('CLI_FAILED', `could not spawn ${process.execPath} for ${entry}`);
  child.unref();
  writeFileSync(paths.servicesPid, `${pid}\n`);
  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const outcome = await waitUntil(async () => (await fetchHealthz(options.env))?.status === 200, {
    timeoutMs,
    intervalMs: 300,
    abortIf: () => !processAlive(pid),
  });
  if (outcome !== 'ready') {
    const why = outcome === 'aborted' ? 'exited before it was healthy' : `was not healthy within ${Math.round(timeoutMs / 1000)} s`;
    if (outcome === 'timeout') await terminate(pid, 10_000);
    await removeFile(paths.servicesPid);
    throw new CliError(
      'CLI_FAILED',
      `the local services process ${why} (${apiBaseUrl(options.env)}/healthz). Last lines of ${paths.servicesLog}:\n${await logTail(paths.servicesLog, 30)}\nFix the cause above, then run \`probity up\` again.`,
    );
  }
  return { pid, alreadyRunning: false };
}

export async function stopServices(dataDir: string, timeoutMs = 30_000): Promise<'not-running' | 'terminated' | 'killed'> {
  const paths = runtimePaths(dataDir);
  const pid = await pidFileAlive(paths.servicesPid);
  const outcome = pid === undefined ? 'not-running' : await terminate(pid, timeoutMs);
  await removeFile(paths.servicesPid);
  return outcome;
}
