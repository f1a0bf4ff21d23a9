import { ProbityError } from '@probity/errors';

export type CliErrorCode = 'CLI_USAGE' | 'CLI_FAILED';

/** CLI_USAGE exits 2 (bad command line); CLI_FAILED exits 1 with the message, no stack. */
export class CliError extends ProbityError<CliErrorCode> {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown by `probity <cmd> --help`. */
  description: string;
  /** Placeholder in help, e.g. "N" for `--partitions N`. */
  valueName?: string;
  multiple?: boolean;
}

/** Where a command writes: stdout for results, stderr for progress and logs. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  io: CliIo;
}

/**
 * One `probity <name>` command. A command is one file under `commands/`
 * exporting one of these, registered once in `commands/index.ts`. Import
 * heavy modules (chDB, BullMQ) inside `run` so `probity --help` stays fast.
 */
export interface Command {
  name: string;
  /** One line for `probity --help`. */
  summary: string;
  /** Arguments after the command name, e.g. "[--partitions N]"; derived from options when omitted. */
  usage?: string;
  /** Longer text for `probity <name> --help`. */
  description?: string;
  options?: Record<string, OptionSpec>;
  /** Accept positional arguments (default: none). */
  positionals?: boolean;
  /** Returns the process exit code. */
  run(ctx: CommandContext): Promise<number>;
}

export function defineCommand(command: Command): Command {
  return command;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function booleanOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** A positive integer option, or a usage error naming the option. */
export function intOption(values: OptionValues, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError('CLI_USAGE', `--${name} expects an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
