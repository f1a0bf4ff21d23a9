import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to (and overriding) this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer;
  cwd?: string;
  /** Kill the child after this long. @defaultValue 120000 */
  timeoutMs?: number;
}

/** Runs a command to completion, capturing stdout and stderr. */
export function runProcess(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    };
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', finish);
    // A script that starts a daemon may leave it holding our pipes, so
    // 'close' never comes: after the child exits, give the pipes a moment to
    // drain, then stop waiting on them.
    child.on('exit', (code, signal) => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, 500);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** `probity <args>` as a user runs it (bin/probity.mjs), in a child process. */
export function runCli(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [path.join(repoRoot, 'bin/probity.mjs'), ...args], options);
}

/** `bash infra/<script> <args>` (e.g. infraScript('kafka.sh', ['restart'])). */
export function infraScript(script: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runProcess('bash', [path.join(repoRoot, 'infra', script), ...args], options);
}
