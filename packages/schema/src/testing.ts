// Test helpers other packages' tests use (the Apache Avro interop test); not for production code.
export { enumCases, FUTURE_SYMBOL, richSample, withEnumSymbol, withoutEnumDefaults } from './evolution-fixtures.js';
export type { EnumCase } from './evolution-fixtures.js';
export { NOW as TEST_NOW } from './test-fixtures.js';
