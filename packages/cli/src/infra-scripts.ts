import { spawn } from 'node:child_process';
import { CliError } from './command.js';
import { infraScript } from './paths.js';

export interface ScriptResult {
  code: number;
  output: string;
}

/** Runs `bash infra/<script> <args>`, capturing its output (shown only when it fails). */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [infraScript(script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let settled = false;
    const finish = (code: number | null) => {
      if (settled) return;
      settled = true;
      resolve({ code: code ?? 1, output });
    };
    child.on('error', reject);
    child.on('close', finish);
    // A daemon the script started may keep our pipes open: don't wait on them past the script's exit.
    child.on('exit', (code) => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code);
      }, 500);
    });
  });
}

/** Like runScript, but a non-zero exit becomes a CliError carrying the script's own cause-and-fix lines. */
export async function runScriptOrFail(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  const result = await runScript(script, args, env);
  if (result.code !== 0) {
    throw new CliError('CLI_FAILED', `bash infra/${script} ${args.join(' ')} failed:\n${result.output.trimEnd()}`);
  }
  return result;
}

/** "already running" / "not running" when the script said so, for progress lines. */
export function scriptNote(result: ScriptResult): string {
  const match = /(already running|not running)/.exec(result.output);
  return match?.[1] ?? '';
}
