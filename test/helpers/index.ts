export { uniqueName } from './unique-name.js';
export { waitFor } from './wait-for.js';
export type { WaitForOptions } from './wait-for.js';
export { kafkaForTests } from './kafka.js';
export type { KafkaForTests } from './kafka.js';
export { runCli, runProcess, infraScript, repoRoot } from './run-cli.js';
export type { RunResult, RunOptions } from './run-cli.js';
