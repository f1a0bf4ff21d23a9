import type { Command } from './command.js';

export function commandUsage(command: Command): string {
  if (command.usage !== undefined) return `probity ${command.name} ${command.usage}`.trimEnd();
  const parts = Object.entries(command.options ?? {}).map(([name, spec]) =>
    spec.type === 'string' ? `[--${name} ${spec.valueName ?? 'VALUE'}]` : `[--${name}]`,
  );
  return ['probity', command.name, ...parts].join(' ');
}

export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'probity — compliance evidence for ML pipelines',
    '',
    'Usage: probity <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `probity <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const options = Object.entries(command.options ?? {}).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    return { flag, description: spec.description };
  });
  options.push({ flag: '-h, --help', description: 'Show this help.' });
  const width = Math.max(...options.map((o) => o.flag.length));
  return [
    `Usage: ${commandUsage(command)}`,
    '',
    command.description ?? command.summary,
    '',
    'Options:',
    ...options.map((o) => `  ${o.flag.padEnd(width)}  ${o.description}`),
    '',
  ].join('\n');
}
