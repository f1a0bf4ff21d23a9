import { parseArgs } from 'node:util';
import { isProbityError } from '@probity/errors';
import { CliError, type CliIo, type Command } from './command.js';
import { commands } from './commands/index.js';
import { withPortDefaults } from './env.js';
import { commandHelp, mainHelp } from './help.js';

export const EXIT_USAGE = 2;

function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
  };
}

/** Runs `probity <argv…>` and returns the exit code; never throws. */
export async function runCli(argv: string[], baseIo: CliIo = processIo(), registry: readonly Command[] = commands): Promise<number> {
  const io: CliIo = { ...baseIo, env: withPortDefaults(baseIo.env) };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(mainHelp(registry));
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = registry.find((c) => c.name === name);
  if (!command) {
    io.stderr(`probity: unknown command ${JSON.stringify(name)}. Commands: ${registry.map((c) => c.name).join(', ')}. See \`probity --help\`.\n`);
    return EXIT_USAGE;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
      help: { type: 'boolean', short: 'h' },
    };
    for (const [key, spec] of Object.entries(command.options ?? {})) {
      options[key] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
    }
    parsed = parseArgs({ args: rest, options, allowPositionals: command.positionals === true, strict: true });
  } catch (err) {
    io.stderr(`probity ${command.name}: ${(err as Error).message.split('\n')[0]}\nSee \`probity ${command.name} --help\`.\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.help === true) {
    io.stdout(commandHelp(command));
    return 0;
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals, io });
  } catch (err) {
    if (err instanceof CliError && err.code === 'CLI_USAGE') {
      io.stderr(`probity ${command.name}: ${err.message}\nSee \`probity ${command.name} --help\`.\n`);
      return EXIT_USAGE;
    }
    // Expected failures carry a message that says what to do; only a bug gets a stack.
    if (isProbityError(err)) {
      io.stderr(`probity ${command.name}: ${err.message}\n`);
    } else {
      io.stderr(`probity ${command.name}: unexpected error (a bug; please report it)\n${(err as Error)?.stack ?? String(err)}\n`);
    }
    return 1;
  }
}
