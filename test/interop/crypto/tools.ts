/**
 * Locates (and if needed builds) the reference implementations the crypto
 * interop tests run: Go's golang.org/x/mod tlog/note via a small checker
 * binary, and Python's securesystemslib. `bash infra/interop/install-crypto.sh`
 * installs both; this file only builds the Go binary when it is missing or
 * stale, and otherwise fails saying what to run.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cacheDir = process.env.PROBITY_CACHE_DIR ?? join(homedir(), '.cache', 'probity');
const INSTALL_HINT = 'run `bash infra/interop/install-crypto.sh`';

export const goSourceDir = join(here, 'go');
export const pythonPath = join(cacheDir, 'venv', 'bin', 'python');
export const pythonToolPath = join(here, 'python', 'dsse_tool.py');

/** First 12 hex digits of SHA-256 over the checker's sources in name order (install-crypto.sh hashes them alike). */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(goSourceDir).filter((f) => /\.(go|mod|sum)$/.test(f)).sort()) hash.update(readFileSync(join(goSourceDir, file)));
  return hash.digest('hex').slice(0, 12);
}

/** The checker binary for these sources: named by their hash, so worktrees sharing the cache never overwrite each other's. */
export const goCheckerPath = join(cacheDir, 'bin', `probity-tlogcheck-${sourceHash()}`);

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** Path of the Go checker, building it first when no binary for these sources exists. */
export function ensureGoChecker(): string {
  if (existsSync(goCheckerPath)) return goCheckerPath;
  mkdirSync(dirname(goCheckerPath), { recursive: true });
  // Same fallback as the install script: the Go tarball's usual home when go is not on PATH.
  const go = existsSync('/usr/local/go/bin/go') && !onPath('go') ? '/usr/local/go/bin/go' : 'go';
  try {
    const tmp = `${goCheckerPath}.tmp.${process.pid}`;
    execFileSync(go, ['build', '-o', tmp, '.'], { cwd: goSourceDir, stdio: ['ignore', 'inherit', 'inherit'] });
    renameSync(tmp, goCheckerPath);
  } catch (cause) {
    throw new Error(`cannot build the Go tlog checker in ${goSourceDir} (is Go ≥ 1.26 on PATH?): ${INSTALL_HINT}`, { cause });
  }
  return goCheckerPath;
}

export function ensurePython(): string {
  try {
    execFileSync(pythonPath, ['-c', 'import securesystemslib.dsse, securesystemslib.signer, cryptography'], { stdio: 'ignore' });
  } catch (cause) {
    throw new Error(`securesystemslib is not installed in ${pythonPath}: ${INSTALL_HINT}`, { cause });
  }
  return pythonPath;
}

/** Runs a helper that reads one JSON request on stdin and writes one JSON response. */
export function runJson<T>(command: string, args: string[], request: unknown): T {
  const out = execFileSync(command, args, { input: JSON.stringify(request), maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'inherit'] });
  return JSON.parse(out.toString('utf8')) as T;
}
