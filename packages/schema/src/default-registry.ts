import { readSchemaSources } from './load-schemas.js';
import type { RecordType } from './record-types.js';
import { SchemaRegistry, type FromJsonResult, type ValidateOptions } from './schema-registry.js';
import type { SemanticOptions } from './semantics.js';
import type { ValidationIssue } from './validate-schema.js';

let shared: SchemaRegistry | undefined;

/** The registry of the repository's `schemas/` directory, loaded on first use and then kept. */
export function defaultRegistry(): SchemaRegistry {
  shared ??= SchemaRegistry.fromSources(readSchemaSources());
  return shared;
}

/** Loads a registry from a directory of `<Name>.v<N>.avsc` files (the repository's `schemas/` by default). */
export function loadSchemaRegistry(dir?: URL | string): SchemaRegistry {
  return SchemaRegistry.fromSources(readSchemaSources(dir));
}

/** {@link SchemaRegistry.validate} on the default registry. */
export function validate(recordType: RecordType, value: unknown, options?: ValidateOptions): ValidationIssue[] {
  return defaultRegistry().validate(recordType, value, options);
}

/** {@link SchemaRegistry.validateSemantics} on the default registry: the notary's checks for decoded values. */
export function validateSemantics(recordType: RecordType, value: unknown, options?: SemanticOptions & { version?: number }): ValidationIssue[] {
  return defaultRegistry().validateSemantics(recordType, value, options);
}

/** {@link SchemaRegistry.fromJson} on the default registry. */
export function fromJson<T = unknown>(recordType: RecordType, json: unknown, options?: ValidateOptions): FromJsonResult<T> {
  return defaultRegistry().fromJson<T>(recordType, json, options);
}

/** {@link SchemaRegistry.toJson} on the default registry. */
export function toJson(recordType: RecordType, value: unknown): unknown {
  return defaultRegistry().toJson(recordType, value);
}
