#!/usr/bin/env node
// The `probity` command: registers tsx in this process (no extra node
// process) and runs the TypeScript CLI. Results go to stdout, progress and
// logs to stderr.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../packages/cli/src/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
