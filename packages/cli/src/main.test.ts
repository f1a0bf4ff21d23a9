import { describe, expect, it } from 'vitest';
import { CliError, defineCommand, intOption, type CliIo } from './command.js';
import { commands } from './commands/index.js';
import { withPortDefaults } from './env.js';
import { renderHealthTable } from './checks/render-table.js';
import { EXIT_USAGE, runCli } from './main.js';

function memoryIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    env,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

const echo = defineCommand({
  name: 'echo',
  summary: 'Print its options',
  options: { times: { type: 'string', valueName: 'N', description: 'How many times.' }, loud: { type: 'boolean', description: 'Shout.' } },
  async run({ values, io }) {
    const n = intOption(values, 'times') ?? 1;
    io.stdout(`${(values.loud ? 'HI' : 'hi').repeat(n)} ${io.env.KAFKA_BROKERS ?? ''}\n`);
    return 0;
  },
});

const failing = defineCommand({
  name: 'fail',
  summary: 'Fails on purpose',
  async run() {
    throw new CliError('CLI_FAILED', 'Kafka is not reachable: run `probity up`');
  },
});

describe('runCli', () => {
  it('runs a registered command with parsed options', async () => {
    const io = memoryIo({ PROBITY_KAFKA_PORT: '29092' });
    expect(await runCli(['echo', '--times', '2', '--loud'], io, [echo])).toBe(0);
    expect(io.out).toBe('HIHI 127.0.0.1:29092\n');
  });

  it('exits 2 on an unknown command, an unknown flag or a bad value', async () => {
    for (const argv of [['nope'], ['echo', '--bogus'], ['echo', '--times', 'x'], ['echo', 'extra']]) {
      const io = memoryIo();
      expect(await runCli(argv, io, [echo]), argv.join(' ')).toBe(EXIT_USAGE);
      expect(io.err).toMatch(/probity/);
      expect(io.out).toBe('');
    }
  });

  it('prints help for the CLI and for a command', async () => {
    const main = memoryIo();
    expect(await runCli(['--help'], main, [echo, failing])).toBe(0);
    expect(main.out).toContain('echo  Print its options');
    expect(main.out).toContain('fail  Fails on purpose');
    const one = memoryIo();
    expect(await runCli(['echo', '--help'], one, [echo])).toBe(0);
    expect(one.out).toContain('Usage: probity echo [--times N] [--loud]');
    expect(one.out).toContain('--times N');
  });

  it('turns an expected failure into exit 1 and its message, without a stack', async () => {
    const io = memoryIo();
    expect(await runCli(['fail'], io, [failing])).toBe(1);
    expect(io.err).toBe('probity fail: Kafka is not reachable: run `probity up`\n');
  });

  it('registers each command once, by a unique name', () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['up', 'down', 'doctor', 'topics']));
  });
});

describe('withPortDefaults', () => {
  it('points clients at the ports the infra scripts use, unless set explicitly', () => {
    expect(withPortDefaults({ PROBITY_KAFKA_PORT: '1', PROBITY_REDIS_PORT: '2' })).toMatchObject({ KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:2' });
    expect(withPortDefaults({ PROBITY_KAFKA_PORT: '1', KAFKA_BROKERS: 'k:9' }).KAFKA_BROKERS).toBe('k:9');
    expect(withPortDefaults({}).KAFKA_BROKERS).toBeUndefined();
  });
});

describe('renderHealthTable', () => {
  it('marks each component ✓ or ✗ with its target and message', () => {
    const text = renderHealthTable([
      { component: 'kafka', healthy: true, target: '127.0.0.1:19092', latencyMs: 4.2, message: '1 broker' },
      { component: 'redis', healthy: false, target: 'redis://127.0.0.1:16379', message: 'Redis is not reachable: run `probity up`' },
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^ ✓ kafka\s+127\.0\.0\.1:19092\s+4\.2 ms\s+1 broker$/);
    expect(lines[2]).toMatch(/^ ✗ redis\s+redis:\/\/127\.0\.0\.1:16379\s+Redis is not reachable/);
  });
});
