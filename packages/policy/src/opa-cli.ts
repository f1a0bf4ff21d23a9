import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyError } from './errors.js';
import { fileFromTarGz } from './tar.js';

/** The opa release infra/interop/install-opa.sh installs. */
export const OPA_VERSION = 'v1.22.4';
/** The rule every gate policy defines: `{allow: bool, reasons: [string]}`. */
export const GATE_ENTRYPOINT = 'gate/decision';

/** `PROBITY_OPA_BIN`, else the binary infra/interop/install-opa.sh put in the shared cache. */
export function defaultOpaBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROBITY_OPA_BIN) return env.PROBITY_OPA_BIN;
  const cache = env.PROBITY_CACHE_DIR ?? path.join(homedir(), '.cache', 'probity');
  return path.join(cache, 'bin', `opa-${OPA_VERSION}`);
}

export interface CompiledPolicy {
  wasm: Uint8Array;
  /** Names of the Rego tests that ran and passed. */
  testsPassed: string[];
  compiler: string;
  entrypoint: string;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new PolicyError('OPA_UNAVAILABLE', `cannot run ${bin}: ${err.message}; install it with bash infra/interop/install-opa.sh or set PROBITY_OPA_BIN`, { cause: err }));
        return;
      }
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** opa's messages name the temp directory's files: show the caller's file names instead. */
function tidy(text: string, dir: string): string {
  return text.split(`${dir}/`).join('').trim();
}

/**
 * Runs the policy's Rego tests (`opa test`), then compiles it to
 * WebAssembly (`opa build -t wasm -e gate/decision`). Refuses, with opa's
 * message, a policy that does not compile, tests that fail, or no tests.
 */
export async function compilePolicy(options: { source: string; tests: string; sourceName?: string; testsName?: string; opaBinary?: string }): Promise<CompiledPolicy> {
  const bin = options.opaBinary ?? defaultOpaBinary();
  if (!existsSync(bin)) throw new PolicyError('OPA_UNAVAILABLE', `no opa binary at ${bin}; install it with bash infra/interop/install-opa.sh or set PROBITY_OPA_BIN`);
  const dir = await mkdtemp(path.join(tmpdir(), 'probity-policy-'));
  try {
    const sourceName = path.basename(options.sourceName ?? 'policy.rego');
    const testsName = path.basename(options.testsName ?? 'policy_test.rego');
    if (sourceName === testsName) throw new PolicyError('POLICY_TESTS_FAILED', 'the policy and its tests must be two files with different names');
    await writeFile(path.join(dir, sourceName), options.source);
    await writeFile(path.join(dir, testsName), options.tests);

    // Compile first: a syntax error is reported as the compiler's, not as a failed test.
    const build = await run(bin, ['build', '-t', 'wasm', '-e', GATE_ENTRYPOINT, sourceName, '-o', 'bundle.tar.gz'], dir);
    if (build.code !== 0) throw new PolicyError('POLICY_COMPILE_FAILED', tidy(build.stderr || build.stdout, dir) || `opa build exited with ${build.code}`);
    const wasm = fileFromTarGz(await readFile(path.join(dir, 'bundle.tar.gz')), 'policy.wasm');
    if (!wasm) throw new PolicyError('POLICY_COMPILE_FAILED', 'opa build gave a bundle without policy.wasm');

    const test = await run(bin, ['test', '--format=json', sourceName, testsName], dir);
    let results: { name?: string; package?: string; fail?: boolean; error?: unknown; skip?: boolean; output?: string }[] = [];
    try {
      results = JSON.parse(test.stdout || '[]');
    } catch {
      throw new PolicyError(test.code !== 0 ? 'POLICY_COMPILE_FAILED' : 'POLICY_TESTS_FAILED', tidy(test.stderr || test.stdout, dir) || `opa test exited with ${test.code}`);
    }
    const failed = results.filter((r) => r.fail || r.error);
    if (failed.length > 0 || test.code !== 0) {
      const lines = failed.map((r) => `${r.package ?? ''}.${r.name ?? '?'}: ${r.error ? `ERROR ${JSON.stringify(r.error)}` : 'FAIL'}`);
      throw new PolicyError('POLICY_TESTS_FAILED', lines.length > 0 ? `${failed.length} of ${results.length} Rego tests failed:\n${lines.join('\n')}` : tidy(test.stderr || test.stdout, dir));
    }
    const passed = results.filter((r) => !r.skip).map((r) => `${r.package ?? ''}.${r.name ?? ''}`);
    if (passed.length === 0) throw new PolicyError('POLICY_TESTS_FAILED', `${testsName} holds no Rego test (rules named test_…): a policy version needs tests that pass`);

    const version = await run(bin, ['version'], dir);
    const v = /Version:\s*v?(\S+)/.exec(version.stdout)?.[1];
    const compiler = `opa ${v ? `v${v}` : 'unknown'}`;
    return { wasm, testsPassed: passed, compiler, entrypoint: GATE_ENTRYPOINT };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
