import { readFile, rm } from 'node:fs/promises';

export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function pidFileAlive(pidFile: string): Promise<number | undefined> {
  const pid = await readPid(pidFile);
  return pid !== undefined && processAlive(pid) ? pid : undefined;
}

/** SIGTERM, wait up to `timeoutMs`, then SIGKILL. Returns how it ended. */
export async function terminate(pid: number, timeoutMs: number): Promise<'not-running' | 'terminated' | 'killed'> {
  if (!processAlive(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return 'terminated';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.kill(pid, 'SIGKILL');
  return 'killed';
}

export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** The last `lines` lines of a log file, for failure messages. */
export async function logTail(file: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).map((l) => `    | ${l}`).join('\n');
  } catch {
    return `    (no log at ${file})`;
  }
}
