import { createRequire } from 'node:module';

// avsc is CommonJS without named ESM exports; loading it through require keeps
// its typings and works the same under node, tsx and vitest.
const require = createRequire(import.meta.url);
const avsc = require('avsc') as typeof import('avsc');

export const { Type, types } = avsc;
export type AvroType = import('avsc').Type;
export type AvroResolver = ReturnType<AvroType['createResolver']>;
