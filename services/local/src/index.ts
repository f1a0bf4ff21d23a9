export { startLocalStack, startGateway, startScheduler } from './stack.js';
export type { LocalStack, Component } from './stack.js';
export { loadLocalConfig, localEnvShape } from './config.js';
export type { LocalConfig } from './config.js';
