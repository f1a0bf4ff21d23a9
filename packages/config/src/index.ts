export { ConfigError, parseEnv } from './parse-env.js';
export type { ConfigErrorCode } from './parse-env.js';
export { commonEnvShape, defaultDataDir, loadCommonConfig } from './common.js';
export type { CommonConfig } from './common.js';
export { envBoolean, envInt, envList } from './coercions.js';
export { dataDirLayout } from './data-dir-layout.js';
export type { DataDirLayout } from './data-dir-layout.js';
